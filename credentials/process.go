package credentials

// Credentials from an external program (credential_process): the
// provider; process_run.go runs the program.

import (
	"context"
	"fmt"

	"github.com/s3kit/s3kit/sigv4"
)

// ProcessProvider runs Command as the AWS CLI runs a profile's
// credential_process (split by shell quoting rules, no shell) and reads the
// credentials it prints as JSON. The program reads this process's
// standard input, and what it writes to standard error is copied to this
// process's, so that it can prompt and explain a failure. Errors name the
// program but never its arguments or anything it printed. Wrap it in a
// Cache when the credentials expire.
type ProcessProvider struct {
	Command string
}

// Retrieve runs the command.
func (p ProcessProvider) Retrieve(ctx context.Context) (sigv4.Credentials, error) {
	return runProcess(ctx, p.Command)
}

// String names the program, not its arguments, which may hold a secret.
func (p ProcessProvider) String() string {
	return "credentials.ProcessProvider{" + p.program() + "}"
}

func (p ProcessProvider) describe() string { return "credential_process " + p.program() }

func (p ProcessProvider) program() string {
	args, err := splitCommand(p.Command)
	if err != nil || len(args) == 0 {
		return "?"
	}
	return args[0]
}

// Format prints String for every verb, %#v included.
func (p ProcessProvider) Format(f fmt.State, verb rune) { formatAs(f, verb, p.String()) }
