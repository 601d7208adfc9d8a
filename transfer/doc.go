// Package transfer is s3kit's transfer manager, the part of the library
// most users meet: boto3's upload_file, upload_fileobj, download_file,
// download_fileobj and copy, in Go. It moves files, streams and whole
// directories to and from S3, with boto3's configuration names and
// defaults, typed extra arguments, progress callbacks, a bandwidth cap,
// one memory budget for everything a Manager does, and resumption of
// interrupted transfers in both directions.
//
// The manager decides; the multipart engine (package multipart) and the
// client (package s3client) do. Large uploads and copies go through
// multipart's Uploader and Copier; downloads are the manager's own
// (parallel byte ranges with If-Match, resumed from the byte a broken body
// reached). The manager never builds an HTTP request: it calls client
// operations through the API interface, which *s3client.Client implements.
//
// A Manager is safe for concurrent use; every call joins the goroutines
// it starts before it returns (but NewWriter's, which end with the
// upload).
package transfer
