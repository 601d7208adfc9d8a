// Package transfer is s3kit's transfer manager, the part of the library
// most users meet: boto3's upload_file, upload_fileobj, download_file,
// download_fileobj and copy, in Go. It moves files, streams and whole
// directories to and from S3, with boto3's configuration names and
// defaults, typed extra arguments, progress callbacks, a bandwidth cap,
// one memory budget for everything a Manager does, and resumption of
// interrupted transfers in both directions.
//
// The manager decides; the multipart engine (package multipart) and the
// client (package s3client) do. Uploads, copies and downloads go through
// multipart's Uploader, Copier and Downloader (downloads as parallel byte
// ranges with If-Match, resumed from the byte a broken body reached),
// which tell the manager of each step (Events) for its journals, its
// progress and the flush of downloaded files; the manager keeps what needs
// a file system or boto3's surface. Without threads (Config.NoThreads) the
// engine runs with one worker, on the caller's goroutine. The manager
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
