// Package presignpost builds, signs and checks Amazon S3 POST policies: the
// signed upload forms that let a browser, or any HTTP client without AWS
// credentials, upload one object straight to a bucket (what boto3 calls
// generate_presigned_post).
//
// It sits beside s3client, on top of sigv4 only, so that a web backend that
// hands out upload forms needs nothing else; s3client's PresignPost resolves
// the bucket URL from the client's endpoint and calls Policy.Sign.
//
// The flow has three steps:
//
//   - Policy describes the upload: bucket, key (which may contain ${filename}),
//     fixed form fields, extra conditions and the expiry. Policy.Sign turns it
//     into a Signed: the URL to post to and every form field, policy and
//     signature included. Every fixed field becomes an exact-match condition
//     of the policy, so the two cannot drift apart, the mistake that boto3
//     users meet only when S3 answers "Policy Condition failed".
//   - Signed.MultipartBody writes the multipart/form-data body a Go program
//     posts, with the file last as S3 requires; Signed.HTML writes a minimal
//     upload form for a browser.
//   - ReadForm reads a submitted multipart/form-data body as S3 reads it
//     (the fields up to the file, the file; duplicate fields and a missing
//     file refused). Check evaluates the form against a signed policy as S3
//     does (expiry, every condition, no uncovered fields, the file size
//     range) and names the condition that fails; Verify checks the form's
//     signature. An application can use them to refuse a bad upload before
//     S3 does, and tests use them to prove that a policy means what it says.
//
// # Where S3 takes POST uploads
//
// S3 serves POST uploads on general purpose buckets, on every endpoint of
// their region (FIPS, dual-stack, the global endpoint of aws-global,
// signed for us-east-1) and through access points; s3client's PresignPost
// gives Sign the URL the endpoint rules resolve. It serves none on the
// other kinds of bucket the rules know, so Sign refuses them with
// ErrUnsupportedBucket, and PresignPost with an error wrapping both
// ErrUnsupportedBucket and s3client.ErrInvalidEndpoint, before anything is
// signed:
//
//   - Multi-Region Access Points: POST Object is not among the operations
//     they serve, and their requests are signed with SigV4a for the region
//     set "*", where a POST policy is signed with SigV4 for one region.
//   - S3 on Outposts: the object operations of Outposts buckets do not
//     include POST Object; their requests are signed for s3-outposts.
//   - Object Lambda access points serve reads (GET, HEAD, list) only.
//   - Directory buckets (S3 Express One Zone): the zonal endpoint's
//     operations do not include POST Object, and their session
//     credentials are sent in x-amz-s3session-token, which a POST form
//     has no field for.
//
// Decisions where S3's documentation is silent follow S3's observed
// behaviour: field names are matched case-insensitively, comparing ASCII
// letters only, and values case-sensitively, a condition on a field the
// form lacks fails even when it is a starts-with "", and ${filename} is
// expanded before conditions are evaluated.
package presignpost
