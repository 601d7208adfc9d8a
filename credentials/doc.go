// Package credentials finds AWS credentials where programs run: static keys,
// the environment, the shared config and credentials files (profiles,
// credential_process, role_arn with source_profile or credential_source,
// web_identity_token_file), web identity from the environment (EKS IRSA, CI
// with OIDC), the ECS and EKS container endpoints, and EC2 instance metadata
// (IMDSv2).
//
// It sits beside s3client, under nothing but sigv4: every provider is a
// sigv4.CredentialsProvider, and the STS calls (AssumeRole,
// AssumeRoleWithWebIdentity) are plain Query-API requests signed with
// sigv4.Signer and decoded with encoding/xml. s3client's LoadConfig builds
// its credentials with NewDefaultChain; the shared files are read by
// internal/awsconfig.
//
// The providers fetch; they do not cache. Cache adds what a remote source
// needs (refresh before expiry, one fetch for many callers, serving still
// valid credentials while the source is down), and NewDefaultChain wraps
// every remote source in one.
//
// Errors and the String methods never contain a secret access key, a
// session token, a web identity token or a container authorization token.
//
// Files: chain.go (Options, Chain, NewDefaultChain), cache.go, env.go,
// sharedconfig.go (profiles), sts.go (STS wire, AssumeRole, WebIdentity),
// container.go, imds.go, process.go, errors.go, http.go (default clients).
package credentials
