package credentials

// Running a credential_process command: it prints credentials as JSON.
// ProcessProvider, next door in process.go, is what users meet.
// https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// ErrProcess is wrapped by every error of a ProcessProvider.
var ErrProcess = errors.New("credentials: credential_process")

// maxProcessStdout bounds what is read of the output: a token is a few
// kilobytes.
const maxProcessStdout = 1 << 20

// processOutput is the JSON a credential process prints (Version 1).
type processOutput struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string // RFC 3339; absent for long-term keys
}

// runProcess runs command as the AWS CLI runs credential_process:
// split into words by the POSIX shell's quoting rules (no shell is
// involved, so no variables, globs or pipes), with this process's
// environment and standard input, and its standard output parsed as
// {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken",
// "Expiration"}. The command is killed when ctx ends.
//
// What the command writes to standard error is copied to this process's
// standard error, as the AWS SDK for Go v2 lets it through: a helper
// prompts there (for an MFA code, read from standard input) and explains a
// failure there, to whoever runs the program.
//
// Errors name the program (the first word) but never the rest of the
// command line, nor anything the command printed: arguments and output
// may carry a secret, and helpers are known to echo both on standard error
// (a shell's "set -x", a failing "curl -H 'Authorization: ...'"), while an
// error travels further than a terminal — into logs and HTTP answers.
func runProcess(ctx context.Context, command string) (sigv4.Credentials, error) {
	args, err := splitCommand(command)
	if err != nil {
		return sigv4.Credentials{}, fmt.Errorf("%w: %v", ErrProcess, err)
	}
	if len(args) == 0 {
		return sigv4.Credentials{}, fmt.Errorf("%w: empty command", ErrProcess)
	}
	prog := args[0]
	cmd := exec.CommandContext(ctx, prog, args[1:]...)
	stdout := &cappedBuffer{max: maxProcessStdout}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderrWriter{}
	// Without WaitDelay a killed helper that left a child holding the
	// pipes would keep Run waiting.
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return sigv4.Credentials{}, fmt.Errorf("%w %s: %w", ErrProcess, prog, ctxErr)
		}
		// err says how the command ended ("exit status 3") or why it did
		// not start (naming prog only); see its standard error for why.
		return sigv4.Credentials{}, fmt.Errorf("%w %s: %w", ErrProcess, prog, err)
	}
	if stdout.overflow {
		return sigv4.Credentials{}, fmt.Errorf("%w %s: output larger than %d bytes", ErrProcess, prog, maxProcessStdout)
	}
	return parseProcessOutput(prog, stdout.buf.Bytes())
}

func parseProcessOutput(prog string, out []byte) (sigv4.Credentials, error) {
	var po processOutput
	if err := json.Unmarshal(out, &po); err != nil {
		// The decoder's message can quote a fragment of the output; say
		// only where it went wrong.
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return sigv4.Credentials{}, fmt.Errorf("%w %s: output is not valid JSON (at byte %d)", ErrProcess, prog, se.Offset)
		}
		return sigv4.Credentials{}, fmt.Errorf("%w %s: output does not have the expected JSON fields", ErrProcess, prog)
	}
	if po.Version != 1 {
		return sigv4.Credentials{}, fmt.Errorf("%w %s: unsupported Version %d (want 1)", ErrProcess, prog, po.Version)
	}
	if po.AccessKeyID == "" || po.SecretAccessKey == "" {
		return sigv4.Credentials{}, fmt.Errorf("%w %s: output lacks AccessKeyId or SecretAccessKey", ErrProcess, prog)
	}
	c := sigv4.Credentials{AccessKeyID: po.AccessKeyID, SecretAccessKey: po.SecretAccessKey, SessionToken: po.SessionToken}
	if po.Expiration != "" {
		t, err := time.Parse(time.RFC3339, po.Expiration)
		if err != nil {
			return sigv4.Credentials{}, fmt.Errorf("%w %s: Expiration is not an RFC 3339 time", ErrProcess, prog)
		}
		c.Expires = t
	}
	return c, nil
}

// stderrWriter writes to os.Stderr. Being no *os.File, it makes exec copy
// the command's standard error through a pipe rather than hand it this
// process's own: WaitDelay then also covers a child of the command that
// keeps the pipe open, and such a child never holds this process's
// standard error after the command is killed.
type stderrWriter struct{}

func (stderrWriter) Write(p []byte) (int, error) { return os.Stderr.Write(p) }

// cappedBuffer keeps the first max bytes written to it and swallows the
// rest, so that a chatty process never blocks on a full pipe.
type cappedBuffer struct {
	buf      bytes.Buffer
	max      int
	overflow bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room < len(p) {
		b.overflow = true
		b.buf.Write(p[:max(room, 0)])
	} else {
		b.buf.Write(p)
	}
	return len(p), nil
}

// splitCommand splits a command line into words by the POSIX shell's
// quoting rules, as Python's shlex.split does for the CLI: blanks separate
// words; 'single quotes' keep everything; "double quotes" keep everything
// but a backslash before \ " $ ` or a newline; elsewhere a backslash keeps
// the next character. Unlike a shell, nothing is expanded.
func splitCommand(s string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		in    bool // inside a word (possibly an empty quoted one)
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		case c == '\\':
			in = true
			if i+1 == len(s) {
				return nil, errors.New("command ends with an escaping backslash")
			}
			i++
			if s[i] != '\n' { // backslash-newline joins lines
				cur.WriteByte(s[i])
			}
		case c == '\'':
			in = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("command has an unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			in = true
			closed := false
			for i++; i < len(s); i++ {
				c := s[i]
				if c == '"' {
					closed = true
					break
				}
				if c == '\\' && i+1 < len(s) && strings.IndexByte("\\\"$`\n", s[i+1]) >= 0 {
					i++
					if s[i] != '\n' {
						cur.WriteByte(s[i])
					}
					continue
				}
				cur.WriteByte(c)
			}
			if !closed {
				return nil, errors.New("command has an unterminated double quote")
			}
		default:
			in = true
			cur.WriteByte(c)
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}
