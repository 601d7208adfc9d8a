package sink

// A push decoder of aws-chunked bodies: the framing is parsed in place as
// the bytes arrive in the handler's read buffer, so that the payload is never
// copied, and the trailer (a checksum) is kept for the answer.

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
)

type chunkState uint8

const (
	stSize     chunkState = iota // reading "hex-size[;ext]\r\n"
	stData                       // inside a chunk's data
	stDataCRLF                   // expecting the "\r\n" after data
	stTrailer                    // reading trailer lines up to an empty one
	stDone
)

var errFraming = errors.New("sink: malformed aws-chunked body")

// chunkDecoder decodes one aws-chunked body. Its zero value is ready.
type chunkDecoder struct {
	state   chunkState
	left    int64 // data bytes left in the current chunk
	crlf    int   // bytes of the "\r\n" after data seen
	line    [512]byte
	lineLen int
	decoded int64
	// trailers holds the trailer lines (name:value) except the trailer
	// signature, lower-cased names.
	trailers []string
}

// write feeds p; onData receives each run of payload bytes in order.
func (d *chunkDecoder) write(p []byte, onData func([]byte)) error {
	for len(p) > 0 {
		switch d.state {
		case stData:
			n := int64(len(p))
			if n > d.left {
				n = d.left
			}
			if onData != nil {
				onData(p[:n])
			}
			d.decoded += n
			d.left -= n
			p = p[n:]
			if d.left == 0 {
				d.state, d.crlf = stDataCRLF, 0
			}
		case stDataCRLF:
			if p[0] != "\r\n"[d.crlf] {
				return errFraming
			}
			p = p[1:]
			if d.crlf++; d.crlf == 2 {
				d.state = stSize
			}
		case stSize, stTrailer:
			i := bytes.IndexByte(p, '\n')
			take := len(p)
			if i >= 0 {
				take = i + 1
			}
			if d.lineLen+take > len(d.line) {
				return errFraming
			}
			d.lineLen += copy(d.line[d.lineLen:], p[:take])
			p = p[take:]
			if i < 0 {
				continue
			}
			line := d.line[:d.lineLen]
			d.lineLen = 0
			if len(line) < 2 || line[len(line)-2] != '\r' {
				return errFraming
			}
			line = line[:len(line)-2]
			if err := d.endLine(line); err != nil {
				return err
			}
		case stDone:
			// Bytes after the final empty line: tolerate CRLF padding only.
			for _, c := range p {
				if c != '\r' && c != '\n' {
					return errFraming
				}
			}
			return nil
		}
	}
	return nil
}

func (d *chunkDecoder) endLine(line []byte) error {
	if d.state == stTrailer {
		if len(line) == 0 {
			d.state = stDone
			return nil
		}
		s := string(line)
		name, _, ok := strings.Cut(s, ":")
		if !ok {
			return errFraming
		}
		if !strings.EqualFold(name, "x-amz-trailer-signature") {
			d.trailers = append(d.trailers, s)
		}
		return nil
	}
	size := line
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		size = line[:i]
	}
	n, err := strconv.ParseInt(string(size), 16, 64)
	if err != nil || n < 0 {
		return errFraming
	}
	if n == 0 {
		d.state = stTrailer
		return nil
	}
	d.state, d.left = stData, n
	return nil
}

// finished reports whether the body ended where its framing says.
func (d *chunkDecoder) finished() bool {
	// A body with neither trailer nor final CRLF (some encoders stop after
	// "0\r\n") is accepted too.
	return d.state == stDone || (d.state == stTrailer && d.lineLen == 0 && len(d.trailers) == 0)
}

// trailer returns the value of the trailer name (lower case), or "".
func (d *chunkDecoder) trailer(name string) string {
	for _, t := range d.trailers {
		n, v, _ := strings.Cut(t, ":")
		if strings.EqualFold(strings.TrimSpace(n), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
