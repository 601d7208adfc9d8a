package main

// This file holds the command table, option parsing with the AWS CLI's
// option names, usage text and the exit codes. Errors are formatted in
// errors.go; the client and transfer manager are built in client.go.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"syscall"

	"github.com/s3kit/s3kit/s3client"
)

// Exit codes, as the issue and most Unix tools have them.
const (
	exitOK      = 0 // everything asked for was done
	exitFailure = 1 // an operation failed (S3 answered an error, a file was missing...)
	exitUsage   = 2 // the command line makes no sense; nothing was attempted
	// A signal that stops a command gives 128 + its number: see
	// signalExitCode.
)

// env is the process around a command: its standard streams and
// environment, injected so that the commands can run inside tests too.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// stderrFile is stderr as a file, to ask whether it is a terminal
	// (the progress bar draws only there); nil means it is not one.
	stderrFile *os.File
	getenv     func(string) string
}

// usageError is a command line that cannot be run: exit code 2, with a
// hint on how to call the command.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errReported is returned by a command that has already printed what went
// wrong, one line per failure (a recursive copy or delete): only the exit
// code is left to set.
var errReported = errors.New("s3kit: failures reported above")

// Groups of options; each command takes the groups it needs.
const (
	optConnection = 1 << iota // --endpoint-url, --region, --profile, --addressing-style, --no-sign-request
	optTransfer               // --multipart-threshold, --multipart-chunksize, --max-concurrency, --max-bandwidth
	optProgress               // --quiet, --no-progress, --force-progress
	optRecursive              // --recursive
	optFilter                 // --exclude, --include, --dryrun
	optObject                 // --content-type, --acl, --metadata, ... (what an upload or copy writes)
	optList                   // --human-readable, --summarize
	optPresign                // --expires-in, --method
	optPost                   // --expires-in, --field, --condition, --content-length-range, --html
	optServe                  // --addr, --dir, --verify-signatures
	optForce                  // --force
	optQuiet                  // --quiet alone (commands without a progress bar)
	optErrorsOnly             // --only-show-errors
	optSymlinks               // --follow-symlinks, --no-follow-symlinks
	optSSEC                   // --sse-c, --sse-c-key
	optPayer                  // --request-payer
	optPage                   // --page-size
	optSync                   // --delete, --size-only, --exact-timestamps
)

// optTransferCmd are the groups of the commands that move objects: cp,
// mv and sync.
const optTransferCmd = optConnection | optTransfer | optProgress | optFilter | optObject | optErrorsOnly | optSymlinks | optSSEC | optPayer | optPage

// command is one subcommand.
type command struct {
	name    string
	args    string // the positional arguments, for the usage line
	summary string
	// minArgs and maxArgs bound the positional arguments.
	minArgs, maxArgs int
	opts             int
	run              func(ctx context.Context, inv *invocation) error
}

// invocation is one run of a command: the process, the parsed options and
// the positional arguments.
type invocation struct {
	*env
	cmd  *command
	opts *options
	args []string
}

func commands() []*command {
	return []*command{
		{name: "cp", args: "<LocalPath|-> <S3Uri> | <S3Uri> <LocalPath|-> | <S3Uri> <S3Uri>",
			summary: "copy a file, stream or object to, from or within S3 (--recursive for directories and prefixes)",
			minArgs: 2, maxArgs: 2, opts: optTransferCmd | optRecursive, run: runCp},
		{name: "mv", args: "<LocalPath> <S3Uri> | <S3Uri> <LocalPath> | <S3Uri> <S3Uri>",
			summary: "move a file or object: copy it, then delete the source once the copy succeeded (--recursive for directories and prefixes)",
			minArgs: 2, maxArgs: 2, opts: optTransferCmd | optRecursive, run: runMv},
		{name: "sync", args: "<LocalPath> <S3Uri> | <S3Uri> <LocalPath> | <S3Uri> <S3Uri>",
			summary: "copy the files and objects that are new or changed (size, or a newer source); --delete removes what the source lacks",
			minArgs: 2, maxArgs: 2, opts: optTransferCmd | optSync, run: runSync},
		{name: "ls", args: "[<S3Uri>]",
			summary: "list buckets, or the common prefixes and then the objects under an S3 prefix",
			minArgs: 0, maxArgs: 1, opts: optConnection | optRecursive | optList | optPayer | optPage, run: runLs},
		{name: "rm", args: "<S3Uri>",
			summary: "delete an object, or every object under a prefix with --recursive (DeleteObjects, 1000 keys a request)",
			minArgs: 1, maxArgs: 1, opts: optConnection | optRecursive | optFilter | optQuiet | optErrorsOnly | optPayer | optPage, run: runRm},
		{name: "mb", args: "<S3Uri>",
			summary: "make a bucket (in --region, or the configured region)",
			minArgs: 1, maxArgs: 1, opts: optConnection | optQuiet, run: runMb},
		{name: "rb", args: "<S3Uri>",
			summary: "remove an empty bucket; --force deletes its objects first",
			minArgs: 1, maxArgs: 1, opts: optConnection | optForce | optQuiet, run: runRb},
		{name: "presign", args: "<S3Uri>",
			summary: "print a presigned URL for an object (GET by default)",
			minArgs: 1, maxArgs: 1, opts: optConnection | optPresign, run: runPresign},
		{name: "presign-post", args: "<S3Uri>",
			summary: "print a presigned POST upload form as JSON (url and fields), or as an HTML page with --html",
			minArgs: 1, maxArgs: 1, opts: optConnection | optPost, run: runPresignPost},
		{name: "serve", args: "",
			summary: "run an S3-compatible server for local development (gofakes3, in memory or under --dir)",
			minArgs: 0, maxArgs: 0, opts: optServe | optQuiet, run: runServe},
		{name: "demo", args: "",
			summary: "start an embedded server and walk through the boto3 S3 guide, checking each step",
			minArgs: 0, maxArgs: 0, opts: optProgress, run: runDemo},
	}
}

func lookupCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// run runs the command line args (without the program name) and returns
// the exit code.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 {
		printUsage(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		if len(args) > 1 {
			if c := lookupCommand(args[1]); c != nil {
				printCommandUsage(e.stdout, c)
				return exitOK
			}
			fmt.Fprintf(e.stderr, "s3kit: unknown command %q\n", args[1])
			return exitUsage
		}
		printUsage(e.stdout)
		return exitOK
	case "--version", "version":
		fmt.Fprintf(e.stdout, "s3kit %s\n", s3client.Version)
		return exitOK
	}
	args, err := hoistOptions(args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(e.stdout)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "s3kit: %s\n", flagErrorText(err))
		return exitUsage
	}
	c := lookupCommand(args[0])
	if c == nil {
		fmt.Fprintf(e.stderr, "s3kit: unknown command %q (run 's3kit help' for the list)\n", args[0])
		return exitUsage
	}
	opts := &options{}
	fs := newFlagSet(c, opts)
	pos, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		printCommandUsage(e.stdout, c)
		return exitOK
	}
	if err == nil {
		err = checkArgCount(c, pos)
	}
	if err == nil {
		err = opts.validate(c)
	}
	if err != nil {
		return report(e, c, usagef("%s", flagErrorText(err)))
	}
	return report(e, c, c.run(ctx, &invocation{env: e, cmd: c, opts: opts, args: pos}))
}

func checkArgCount(c *command, pos []string) error {
	switch {
	case len(pos) < c.minArgs && c.minArgs == c.maxArgs:
		return usagef("%s takes %d argument(s), got %d", c.name, c.minArgs, len(pos))
	case len(pos) < c.minArgs:
		return usagef("%s needs at least %d argument(s)", c.name, c.minArgs)
	case len(pos) > c.maxArgs:
		return usagef("%s takes at most %d argument(s), got %d: unexpected %q", c.name, c.maxArgs, len(pos), pos[c.maxArgs])
	}
	return nil
}

// report prints err on one line and returns the exit code it means.
func report(e *env, c *command, err error) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	if !errors.As(err, &ue) && (errors.Is(err, s3client.ErrInvalidBucketName) || errors.Is(err, s3client.ErrInvalidKey)) {
		// The client refused a bucket name or key before sending
		// anything; on the command line, they are the arguments.
		ue = &usageError{msg: formatError(err)}
	}
	if ue != nil {
		fmt.Fprintf(e.stderr, "s3kit: %s: %s\n", c.name, oneLine(ue.msg))
		fmt.Fprintf(e.stderr, "usage: s3kit %s %s [options] (see 's3kit help %s')\n", c.name, c.args, c.name)
		return exitUsage
	}
	if errors.Is(err, errReported) {
		return exitFailure
	}
	fmt.Fprintf(e.stderr, "s3kit: %s: %s\n", c.name, formatError(err))
	return exitFailure
}

// hoistOptions moves options written before the command ("s3kit --quiet
// cp a s3://b/", as "aws --region x s3 ls" allows) to just after it,
// where the command's own parsing takes them, before any "--".
func hoistOptions(args []string) ([]string, error) {
	if len(args) == 0 || !strings.HasPrefix(args[0], "-") || args[0] == "-" {
		return args, nil
	}
	// A flag set with every option knows which of them take a value.
	fs := newFlagSet(&command{name: "", opts: ^0}, &options{})
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	rest := fs.Args()
	lead := args[:len(args)-len(rest)]
	if len(lead) > 0 && lead[len(lead)-1] == "--" {
		return nil, fmt.Errorf("write the command before \"--\"")
	}
	if len(rest) == 0 {
		return nil, fmt.Errorf("options but no command")
	}
	out := append([]string{rest[0]}, lead...)
	return append(out, rest[1:]...), nil
}

// parseInterspersed parses options anywhere among the positional
// arguments, as the AWS CLI does ("cp a s3://b/ --recursive"); the flag
// package alone stops at the first positional. "--" ends the options, and
// "-" is a positional (stdin or stdout).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// flagErrorText rewrites the flag package's messages with the double-dash
// spelling the usage text shows.
func flagErrorText(err error) string {
	s := err.Error()
	s = strings.Replace(s, "flag provided but not defined: -", "unknown option --", 1)
	s = strings.Replace(s, "flag needs an argument: -", "option needs a value: --", 1)
	if i := strings.Index(s, " for flag -"); i >= 0 {
		s = s[:i] + " for option --" + s[i+len(" for flag -"):]
	}
	return s
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "s3kit %s: an S3 client built on the s3kit Go library\n\n", s3client.Version)
	fmt.Fprintf(w, "usage: s3kit <command> [arguments] [options]\n\ncommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
S3 URIs are written s3://bucket/key. Credentials, region and endpoint come
from the environment (AWS_ACCESS_KEY_ID, AWS_REGION, AWS_ENDPOINT_URL...) and
the AWS shared files, as for the AWS CLI; --endpoint-url, --region and
--profile override them.

Exit codes: 0 success, 1 an operation failed, 2 bad usage, 130 and 143
stopped by Ctrl-C and SIGTERM (after the clean-up).
Run 's3kit help <command>' for a command's options.
`)
}

func printCommandUsage(w io.Writer, c *command) {
	fmt.Fprintf(w, "usage: s3kit %s %s [options]\n\n%s\n", c.name, c.args, c.summary)
	fs := newFlagSet(c, &options{})
	var lines []string
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		lines = append(lines, line+"\n        "+usage)
	})
	sort.Strings(lines)
	if len(lines) > 0 {
		fmt.Fprintf(w, "\noptions:\n%s\n", strings.Join(lines, "\n"))
	}
}

// signalExitCode is the exit code of a command a signal stopped: 128 plus
// the signal's number, as shells report it (130 for Ctrl-C, 143 for
// SIGTERM).
func signalExitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return exitFailure
}
