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
// multipart's Uploader and Copier, the one engine, which tells the manager
// of each step (Events) for its journals and progress; downloads are the
// manager's own (parallel byte ranges with If-Match, resumed from the byte
// a broken body reached). Without threads (Config.NoThreads) the same
// engines run with one worker, on the caller's goroutine. The manager
// never builds an HTTP request: it calls client operations through the API
// interface, which *s3client.Client implements.
//
// Per-call options are typed by the kind of operation (UploadOption,
// DownloadOption, CopyOption...), so that an option an operation has no
// use for is a compile error.
//
// A Manager is safe for concurrent use; every call joins the goroutines
// it starts before it returns (but NewWriter's, which end with the
// upload).
package transfer
