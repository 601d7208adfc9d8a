package main

// This file holds the progress bar of cp and of the demo: one line on a
// terminal, redrawn in place with "\r" at most every progressInterval,
// showing the bytes done, the percentage and a bar when the size is known,
// the rate and the time left, or "completing" once every byte is sent and
// the last request runs; erased when the transfer ends, so that only
// the result line stays. On anything but a terminal nothing is drawn,
// unless --force-progress asks for it (tests, and wrappers that record
// a terminal session).

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/s3kit/s3kit/transfer"
)

// progressInterval bounds how often a frame is drawn: ten a second look
// smooth and cost nothing next to the transfer.
const progressInterval = 100 * time.Millisecond

// eraseLine is the ANSI sequence that clears from the cursor to the end of
// the line, so that a shorter frame leaves nothing of a longer one.
const eraseLine = "\x1b[K"

// progressBar draws one transfer's progress, or the progress of many
// files together (a recursive cp). Its methods are safe for concurrent use.
type progressBar struct {
	w        io.Writer
	width    int // columns available; the bar shrinks or goes to fit
	now      func() time.Time
	interval time.Duration

	mu        sync.Mutex
	label     string
	total     int64 // -1: unknown (a stream)
	done      int64
	multi     bool // counting files
	preset    bool // multi with the total known from the start; else it grows as files start
	files     int  // files finished
	failed    int
	start     time.Time
	lastDraw  time.Time
	drawn     bool
	finished  bool
	lastFrame string
}

// newProgressBar returns a bar that draws on w, width columns wide. total
// is the size in bytes, -1 when unknown. multi makes it count files: with
// a total, of all of them; with -1, their sizes are added as they start.
func newProgressBar(w io.Writer, width int, label string, total int64, multi bool) *progressBar {
	if width <= 0 {
		width = 80
	}
	p := &progressBar{w: w, width: width, now: time.Now, interval: progressInterval, label: label, total: total, multi: multi}
	if multi {
		p.preset = total >= 0
		p.total = max(total, 0)
	}
	return p
}

// listener returns the transfer option that feeds the bar.
func (p *progressBar) listener() transfer.Listener {
	return func(e transfer.Event) {
		switch e.Type {
		case transfer.TransferStarted:
			p.started(e.Total)
		case transfer.BytesTransferred:
			p.add(e.Bytes)
		case transfer.TransferCompleted:
			p.fileDone(false)
		case transfer.TransferFailed:
			p.fileDone(true)
		}
	}
}

// started records a transfer's size: the total of a single transfer, one
// more file's share of a multi-file one.
func (p *progressBar) started(total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.start.IsZero() {
		p.start = p.now()
	}
	switch {
	case p.multi && !p.preset && total > 0:
		p.total += total
	case !p.multi:
		p.total = total
	}
	p.drawLocked(false)
}

// add counts n more bytes; a negative n takes back bytes a failed attempt
// had sent.
func (p *progressBar) add(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.start.IsZero() {
		p.start = p.now()
	}
	before := p.done
	p.done = max(p.done+n, 0)
	// The frame that reaches the end of a single transfer is drawn
	// whatever the interval: it says "completing" while the last request
	// (CompleteMultipartUpload, the rename of a download) runs, instead
	// of leaving the last throttled frame short of 100%.
	p.drawLocked(!p.multi && !p.finished && p.total > 0 && before < p.total && p.done >= p.total)
}

func (p *progressBar) fileDone(failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.multi {
		return
	}
	p.files++
	if failed {
		p.failed++
	}
	p.drawLocked(false)
}

// finish draws the last frame, if it differs from the one on screen, and
// erases the line, leaving the cursor at its start for the result line.
// A bar that never drew (the transfer failed before it started) writes
// nothing. It is safe to call more than once.
func (p *progressBar) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.finished = true
	if !p.drawn {
		return
	}
	if p.frameLocked(p.now()) != p.lastFrame {
		p.drawLocked(true)
	}
	io.WriteString(p.w, "\r"+eraseLine)
}

// above erases the bar, runs print (which writes a line of output) and
// draws the bar again below it, so that result lines and frames never
// share a line when stdout and stderr are the same terminal.
func (p *progressBar) above(print func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn && !p.finished {
		io.WriteString(p.w, "\r"+eraseLine)
	}
	print()
	if p.drawn && !p.finished {
		p.drawLocked(true)
	}
}

// drawLocked draws a frame when the interval has passed since the last
// one, or always when force is set.
func (p *progressBar) drawLocked(force bool) {
	if p.finished && !force {
		return
	}
	now := p.now()
	if !force && p.drawn && now.Sub(p.lastDraw) < p.interval {
		return
	}
	frame := p.frameLocked(now)
	p.drawn, p.lastDraw, p.lastFrame = true, now, frame
	io.WriteString(p.w, "\r"+frame+eraseLine)
}

// frameLocked returns the text of one frame, at most p.width-1 columns
// (writing the last column makes some terminals wrap):
//
//	photo.jpg  37% [=======>            ] 12.0 MiB/32.0 MiB  5.20 MiB/s  ETA 0:04
//	-          12.0 MiB  5.20 MiB/s
//	3 file(s)  37% [=======>            ] 12.0 MiB/32.0 MiB  5.20 MiB/s  ETA 0:04
//
// The numbers have fixed widths, so that the bar stays put as they change.
func (p *progressBar) frameLocked(now time.Time) string {
	elapsed := now.Sub(p.start)
	var bps float64
	// A rate over the first few milliseconds says little, except at the
	// end of a transfer that took no longer.
	if p.done > 0 && (elapsed >= 50*time.Millisecond || (p.finished && elapsed > 0)) {
		bps = float64(p.done) / elapsed.Seconds()
	}
	rate := "--"
	if bps > 0 {
		rate = shortBytes(int64(bps)) + "/s"
	}
	label := p.label
	if p.multi {
		label = fmt.Sprintf("%d file(s)", p.files)
		if p.failed > 0 {
			label += fmt.Sprintf(", %d failed", p.failed)
		}
	}
	total := p.total
	if total < 0 || (p.multi && total == 0) {
		// Unknown size: bytes and rate only.
		return fitLabel(label, fmt.Sprintf("  %8s  %10s", shortBytes(p.done), rate), p.width-1)
	}
	done := min(p.done, total)
	pct := 100
	if total > 0 {
		pct = int(done * 100 / total)
	}
	eta := ""
	switch {
	case !p.multi && !p.finished && total > 0 && done >= total:
		eta = "completing"
	case bps > 0 && total > done:
		eta = "ETA " + formatETA(time.Duration(float64(total-done)/bps*float64(time.Second)))
	}
	head := fmt.Sprintf("  %3d%% ", pct)
	tail := fmt.Sprintf(" %8s/%-8s  %10s  %-11s", shortBytes(done), shortBytes(total), rate, eta)
	// The bar takes what the numbers and the label leave, 10 to 40
	// columns. A file name longer than 12 columns is shortened for a bar
	// of 10 (its end says most); the count of files is not, and with
	// less room the bar goes.
	fixed := len(head) + len(tail) + 2
	switch room := p.width - 1 - fixed - len(label); {
	case room >= 10:
		return label + head + "[" + bar(min(room, 40), done, total) + "]" + tail
	case !p.multi && p.width-1-fixed-min(len(label), 12) >= 10:
		return fitLabel(label, head+"["+bar(10, done, total)+"]"+tail, p.width-1)
	}
	return fitLabel(label, head+tail[1:], p.width-1)
}

// shortBytes writes n in at most 8 columns with three significant
// digits: "999 B", "1.00 KiB", "12.3 MiB", "123 GiB".
func shortBytes(n int64) string {
	if n < 1000 {
		return strconv.FormatInt(n, 10) + " B"
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	f := float64(n) / 1024
	i := 0
	for f >= 999.5 && i < len(units)-1 {
		f /= 1024
		i++
	}
	switch {
	case f < 9.995:
		return fmt.Sprintf("%.2f %s", f, units[i])
	case f < 99.95:
		return fmt.Sprintf("%.1f %s", f, units[i])
	}
	return fmt.Sprintf("%.0f %s", f, units[i])
}

// fitLabel returns label+rest in at most width bytes, shortening the label
// from the left (the end of a path says most) and then the rest.
func fitLabel(label, rest string, width int) string {
	if len(label)+len(rest) <= width {
		return label + rest
	}
	keep := width - len(rest) - 3
	if keep >= 4 {
		return "..." + label[len(label)-keep:] + rest
	}
	s := label + rest
	if width < 0 {
		width = 0
	}
	return s[:min(len(s), width)]
}

// bar returns n columns of "=" for the part done, ">" at the head, and
// spaces for the rest.
func bar(n int, done, total int64) string {
	filled := n
	if total > 0 {
		filled = int(done * int64(n) / total)
	}
	switch {
	case filled >= n:
		return strings.Repeat("=", n)
	case filled <= 0:
		return ">" + strings.Repeat(" ", n-1)
	}
	return strings.Repeat("=", filled) + ">" + strings.Repeat(" ", n-filled-1)
}

// formatETA writes d as m:ss, or h:mm:ss from an hour on.
func formatETA(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return strconv.FormatInt(s/60, 10) + ":" + fmt.Sprintf("%02d", s%60)
}
