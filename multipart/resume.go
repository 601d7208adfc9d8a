package multipart

// Resume: finishing a multipart upload an earlier call or process left
// behind, keeping the parts that still match the source.

import (
	"context"
	"encoding/base64"
	"hash"
	"io"

	"github.com/s3kit/s3kit/internal/group"
	"github.com/s3kit/s3kit/s3client"
)

// Resume finishes the multipart upload uploadID of in.Bucket/in.Key from
// in.Body, which must be an io.ReaderAt of known size holding the same
// bytes as when the upload began (ErrNotResumable otherwise). It lists the
// upload's parts and keeps each one whose size matches its place in the
// source and whose checksum, when S3 holds one, matches the source's bytes;
// it uploads the others and completes the upload. Kept parts are reported
// to Progress as they are checked.
//
// The part layout is the Uploader's (PartSize, grown to fit MaxParts), or
// the one the listed parts show if that fits them better, so a changed
// PartSize does not discard finished work. A part without a checksum is
// kept on its size alone: upload with a ChecksumAlgorithm when you mean to
// resume.
//
// A failure to list the parts leaves the upload as it was; later failures
// abort it unless LeavePartsOnError is set, as for Upload, which is usually
// what a caller that resumes wants.
func (u *Uploader) Resume(ctx context.Context, uploadID string, in *UploadInput) (*UploadOutput, error) {
	st, err := u.settings()
	if err != nil {
		return nil, err
	}
	if in == nil {
		return nil, errNilInput
	}
	up, err := u.newUpload("Resume", in, st)
	if err != nil {
		return nil, newUploadError(up.op, in.Bucket, in.Key, uploadID, err)
	}
	up.id = uploadID
	if uploadID == "" {
		return nil, newUploadError(up.op, in.Bucket, in.Key, "", invalidInput("multipart: Resume needs an upload ID"))
	}
	if err := checkObject(in.Bucket, in.Key); err != nil {
		return nil, newUploadError(up.op, in.Bucket, in.Key, uploadID, err)
	}
	src, err := sourceOf(in.Body, in.Size)
	if err == nil && (src.ra == nil || src.size < 0) {
		err = ErrNotResumable
	}
	if err != nil {
		return nil, newUploadError(up.op, in.Bucket, in.Key, uploadID, err)
	}

	listed, alg, err := listParts(ctx, u.Client, &s3client.ListPartsInput{
		Bucket: in.Bucket, Key: in.Key, UploadID: uploadID, SSECustomer: in.SSECustomer, Common: in.Common,
	})
	if err != nil {
		return nil, newUploadError(up.op, in.Bucket, in.Key, uploadID, err)
	}
	// The parts must carry the algorithm the upload was created with, as
	// the listing tells it; a store that does not tell gets the one the
	// caller asked for, and none by the client's default, which an upload
	// created without one would refuse.
	if alg != "" {
		up.alg = alg
	}
	ps, n, err := resumeLayout(src.size, st.partSize, listed)
	if err != nil {
		return nil, newUploadError(up.op, in.Bucket, in.Key, uploadID, err)
	}
	up.sized(src.size)
	up.parts, up.sizes = make([]s3client.CompletedPart, n), make([]int64, n)
	g, gctx := group.WithContext(ctx, st.concurrency)
	for i := 0; i < n && gctx.Err() == nil; i++ {
		off := int64(i) * ps
		num, size := i+1, min(ps, src.size-off)
		p, ok := listed[num]
		g.Go(func() error {
			body := newPartReader(src.ra, src.base+off, size)
			if ok && p.Size == size && p.ETag != "" {
				keep, err := sameChecksum(gctx, &p.Checksums, body)
				if err != nil {
					body.close()
					return &partFailure{part: num, err: err}
				}
				if keep {
					body.close()
					up.record(s3client.CompletedPart{PartNumber: num, ETag: p.ETag, Checksums: p.Checksums}, size)
					up.mu.Lock()
					up.reused++
					up.mu.Unlock()
					up.report(size)
					up.partDone(num, size)
					return nil
				}
			}
			return up.send(gctx, num, body)
		})
	}
	if err := joinGroup(ctx, g); err != nil {
		return nil, up.fail(ctx, err)
	}
	return up.complete(ctx, n, src.size)
}

// listParts returns every part of an upload by number, and the upload's
// checksum algorithm.
func listParts(ctx context.Context, api UploadAPI, in *s3client.ListPartsInput) (map[int]s3client.Part, s3client.ChecksumAlgorithm, error) {
	listed := make(map[int]s3client.Part)
	var alg s3client.ChecksumAlgorithm
	page := *in
	var pager s3client.Pager
	for {
		out, err := api.ListParts(ctx, &page)
		if err != nil {
			return nil, "", err
		}
		if alg == "" {
			alg = out.ChecksumAlgorithm
		}
		for _, p := range out.Parts {
			listed[p.PartNumber] = p
			if alg == "" {
				alg, _ = partChecksum(&p.Checksums)
			}
		}
		more, err := pager.NextParts(&page, out)
		if err != nil {
			return nil, "", err
		}
		if !more {
			return listed, alg, nil
		}
	}
}

// resumeLayout returns the part size and count to resume with: the
// Uploader's layout, or the one the listed parts were uploaded with (every
// part but the last has the upload's part size, so the largest listed part
// tells it), whichever places more listed parts where they belong.
func resumeLayout(size, partSize int64, listed map[int]s3client.Part) (int64, int, error) {
	ps, n, err := layout(size, partSize)
	if err != nil {
		return 0, 0, err
	}
	var largest int64
	for _, p := range listed {
		largest = max(largest, p.Size)
	}
	if largest == ps || checkPartSize(largest) != nil || ceilDiv(size, largest) > MaxParts {
		return ps, n, nil
	}
	alt, altN := largest, int(max(ceilDiv(size, largest), 1))
	if fits(size, alt, altN, listed) > fits(size, ps, n, listed) {
		return alt, altN, nil
	}
	return ps, n, nil
}

// fits counts the listed parts whose size matches a layout.
func fits(size, ps int64, n int, listed map[int]s3client.Part) int {
	k := 0
	for num, p := range listed {
		if num >= 1 && num <= n && p.Size == min(ps, size-int64(num-1)*ps) {
			k++
		}
	}
	return k
}

// partChecksum returns the algorithm and value of a part's checksum (the
// first, should a store list several).
func partChecksum(c *s3client.Checksums) (s3client.ChecksumAlgorithm, string) {
	for _, a := range s3client.ChecksumAlgorithms() {
		if v := c.Get(a); v != "" {
			return a, v
		}
	}
	return "", ""
}

// sameChecksum reports whether body's bytes have the checksum S3 holds for
// the part; true when it holds none.
func sameChecksum(ctx context.Context, c *s3client.Checksums, body *partReader) (bool, error) {
	alg, want := partChecksum(c)
	if alg == "" {
		return true, nil
	}
	h := alg.NewHash()
	if _, err := io.Copy(h, &ctxReader{ctx: ctx, r: io.NewSectionReader(body, 0, body.Size())}); err != nil {
		return false, err
	}
	return encodeSum(h) == want, nil
}

func encodeSum(h hash.Hash) string { return base64.StdEncoding.EncodeToString(h.Sum(nil)) }

// ctxReader stops a long read (checking a 5 GiB part) when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if c.ctx.Err() != nil {
		return 0, context.Cause(c.ctx)
	}
	return c.r.Read(p)
}
