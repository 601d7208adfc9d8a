module github.com/s3kit/s3kit

go 1.23
