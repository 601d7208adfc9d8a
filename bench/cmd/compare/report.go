package main

// RESULTS.md: the tables, the targets of the issue checked against them,
// and how the numbers were taken.

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/s3kit/s3kit/transfer"
)

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (r *runner) samplesOf(scenario, client string) []*sample {
	var out []*sample
	for _, s := range r.samples {
		if s.Scenario == scenario && s.Client == client {
			out = append(out, s)
		}
	}
	return out
}

// stat is one row's numbers.
type stat struct {
	n        int
	mbps     float64 // median
	cpu      float64 // median CPU seconds
	cpuPerGi float64 // median CPU seconds per GiB moved
	rssMiB   float64 // peak over the rounds
}

func statOf(ss []*sample) (stat, bool) {
	if len(ss) == 0 {
		return stat{}, false
	}
	var mb, cpu, perGi []float64
	var rss int64
	for _, s := range ss {
		mb = append(mb, s.mbps())
		cpu = append(cpu, s.CPU)
		if s.Bytes > 0 {
			perGi = append(perGi, s.CPU/(float64(s.Bytes)/(1<<30)))
		}
		rss = max(rss, s.RSSKiB)
	}
	return stat{n: len(ss), mbps: median(mb), cpu: median(cpu), cpuPerGi: median(perGi), rssMiB: float64(rss) / 1024}, true
}

// ratio is the median over rounds of f(client's sample) / f(baseline's
// sample of the same round).
func ratio(client, base []*sample, f func(*sample) float64) (float64, bool) {
	byRound := map[int]*sample{}
	for _, b := range base {
		byRound[b.Round] = b
	}
	var rs []float64
	for _, s := range client {
		if b := byRound[s.Round]; b != nil && f(b) > 0 {
			rs = append(rs, f(s)/f(b))
		}
	}
	if len(rs) == 0 {
		return math.NaN(), false
	}
	return median(rs), true
}

func mbps(s *sample) float64 { return s.mbps() }
func putRate(s *sample) float64 {
	return float64(s.Small.Count) / s.Small.PutSecs
}
func getRate(s *sample) float64 {
	return float64(s.Small.Count) / s.Small.GetSecs
}

func num(v float64, format string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	return fmt.Sprintf(format, v)
}

func settings(sc scenario, c clientSpec) string {
	switch {
	case c.baseline || sc.mode == "c8p8":
		if (sc.op == "download" || sc.op == "download-writer") && c.label == minio.label {
			return "one GET (no parallel download)"
		}
		if sc.op == "download-writer" && c.label == awsManager.label {
			return "1 in flight, 8 MiB ranges (an io.Writer needs writes in order)"
		}
		if sc.op == "download-writer" && c.label == raw.label {
			return "8 in flight, 8 MiB ranges, 9 range buffers"
		}
		if c.variant == "durable" {
			return "8 in flight, 8 MiB parts, file on stable storage at return"
		}
		if c.variant == "concurrent-stream" {
			return "8 threads, 8 MiB parts, ConcurrentStreamParts"
		}
		return "8 in flight, 8 MiB parts"
	default:
		return "defaults"
	}
}

type table struct {
	head []string
	rows [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(b *strings.Builder) {
	b.WriteString("| " + strings.Join(t.head, " | ") + " |\n|")
	for i := range t.head {
		if i == 0 {
			b.WriteString("---|")
		} else {
			b.WriteString("--:|")
		}
	}
	b.WriteString("\n")
	for _, r := range t.rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	b.WriteString("\n")
}

func (r *runner) report(scens []scenario, sizes []binSize) string {
	var b strings.Builder
	o := r.o
	byName := map[string]scenario{}
	for _, sc := range scens {
		byName[sc.name] = sc
	}
	fmt.Fprintf(&b, "# s3kit beside aws-sdk-go-v2 and minio-go\n\n")
	fmt.Fprintf(&b, "Written by `cmd/compare` (issues 9 and 16). Absolute numbers depend on the machine and on what else it runs; the ratios to the baselines of the same round are what to quote.\n\n")
	fmt.Fprintf(&b, "- Date: %s (%s to run)\n", r.started.UTC().Format("2006-01-02 15:04 MST"), time.Since(r.started).Round(time.Second))
	fmt.Fprintf(&b, "- Machine: %d cores, %s, %s memory, %s; load average %s at the start, %s at the end (the machine is shared)\n",
		numCPU(), cpuModel(), memTotal(), kernel(), r.loadAt[0], r.loadAt[1])
	fmt.Fprintf(&b, "- Software: %s\n", strings.Join(r.versions(), "; "))
	fmt.Fprintf(&b, "- Command (in bench/): `go run ./cmd/compare %s`\n", strings.Join(os.Args[1:], " "))
	fmt.Fprintf(&b, "- Sizes: %s file for uploads and downloads, %s through a pipe, %d × 4 KiB small objects; %d measured rounds after a verify round of %s objects\n\n",
		formatSize(o.size), formatSize(o.pipeSize), o.smallCount, o.rounds, formatSize(o.verifySize))

	if len(r.failures) > 0 {
		b.WriteString("## Failed runs\n\n")
		for _, f := range r.failures {
			fmt.Fprintf(&b, "- %s\n", f)
		}
		b.WriteString("\n")
	} else if o.verify {
		b.WriteString("Every client passed the verify round: the sink found the uploaded bytes, payload hashes and checksums right, and the downloaded files matched.\n\n")
	}

	r.targets(&b, byName, sizes)

	// Large transfers.
	for _, proto := range []string{"http", "https"} {
		r.transferTable(&b, byName, fmt.Sprintf("Upload over %s, %s", proto, formatSize(o.size)),
			"upload-"+proto+"-c8p8", "upload-"+proto+"-defaults")
	}
	disk := fsType(r.diskDir)
	for _, proto := range []string{"http", "https"} {
		r.transferTable(&b, byName, fmt.Sprintf("Download over %s to disk (%s, %s), %s", proto, disk, filepath.Dir(r.diskDir), formatSize(o.size)),
			"download-"+proto+"-c8p8", "download-"+proto+"-defaults")
	}
	for _, proto := range []string{"http", "https"} {
		r.transferTable(&b, byName, fmt.Sprintf("Download over %s to tmpfs (/dev/shm), %s", proto, formatSize(o.size)),
			"download-tmpfs-"+proto+"-c8p8")
	}
	r.transferTable(&b, byName, fmt.Sprintf("Download into an io.Writer, in order, over http: io.Discard, %s", formatSize(o.size)),
		"download-writer-http-discard")
	r.transferTable(&b, byName, fmt.Sprintf("Download into an io.Writer, in order, over http: a pipe the runner drains, %s", formatSize(o.size)),
		"download-writer-http-pipe")

	// Pipe.
	if _, ok := byName["pipe-http-c8p8"]; ok || byName["pipe-http-defaults"].name != "" {
		fmt.Fprintf(&b, "## Upload from a pipe (unknown length) over http, %s\n\n", formatSize(o.pipeSize))
		t := table{head: []string{"client", "settings", "MB/s", "× raw", "× raw+sha256", "CPU s", "CPU s/GiB", "peak RSS MiB", "runs"}}
		base, baseSHA := r.samplesOf("pipe-http-c8p8", raw.label), r.samplesOf("pipe-http-c8p8", rawSHA.label)
		for _, name := range []string{"pipe-http-c8p8", "pipe-http-defaults"} {
			sc, ok := byName[name]
			if !ok {
				continue
			}
			for _, c := range sc.clients {
				ss := r.samplesOf(sc.name, c.label)
				st, ok := statOf(ss)
				if !ok {
					t.add(c.label, settings(sc, c), "failed", "", "", "", "", "", "")
					continue
				}
				r1, _ := ratio(ss, base, mbps)
				r2, _ := ratio(ss, baseSHA, mbps)
				t.add(c.label, settings(sc, c), num(st.mbps, "%.0f"), num(r1, "%.2f"), num(r2, "%.2f"),
					num(st.cpu, "%.2f"), num(st.cpuPerGi, "%.2f"), num(st.rssMiB, "%.1f"), fmt.Sprint(st.n))
			}
		}
		t.write(&b)
		b.WriteString("The raw baselines read the pipe into 9 buffers of 8 MiB (8 in flight and one filling).\n\n")
	}

	// Small objects.
	if _, ok := byName["small-http-w1"]; ok || byName["small-http-w16"].name != "" {
		fmt.Fprintf(&b, "## Small objects over http: %d PUTs then %d GETs of 4 KiB, one client\n\n", o.smallCount, o.smallCount)
		t := table{head: []string{"workers", "client", "PUT/s", "× raw", "GET/s", "× raw", "allocs/PUT", "allocs/GET", "B/PUT", "B/GET", "CPU s", "peak RSS MiB"}}
		for _, name := range []string{"small-http-w1", "small-http-w16"} {
			sc, ok := byName[name]
			if !ok {
				continue
			}
			base := r.samplesOf(name, raw.label)
			for _, c := range sc.clients {
				ss := r.samplesOf(name, c.label)
				if len(ss) == 0 {
					t.add(strings.TrimPrefix(sc.mode, "w"), c.label, "failed", "", "", "", "", "", "", "", "", "")
					continue
				}
				var put, get, pa, ga, pb, gb, cpu []float64
				var rss int64
				for _, s := range ss {
					put, get = append(put, putRate(s)), append(get, getRate(s))
					pa, ga = append(pa, s.Small.PutAllocs), append(ga, s.Small.GetAllocs)
					pb, gb = append(pb, s.Small.PutBytesOp), append(gb, s.Small.GetBytesOp)
					cpu = append(cpu, s.CPU)
					rss = max(rss, s.RSSKiB)
				}
				rp, _ := ratio(ss, base, putRate)
				rg, _ := ratio(ss, base, getRate)
				t.add(strings.TrimPrefix(sc.mode, "w"), c.label, num(median(put), "%.0f"), num(rp, "%.2f"), num(median(get), "%.0f"), num(rg, "%.2f"),
					num(median(pa), "%.0f"), num(median(ga), "%.0f"), num(median(pb), "%.0f"), num(median(gb), "%.0f"),
					num(median(cpu), "%.2f"), num(float64(rss)/1024, "%.1f"))
			}
		}
		t.write(&b)
		b.WriteString("Allocations are the child's runtime.MemStats.Mallocs over the phase divided by the requests: everything a request costs, net/http's share included.\n\n")
	}

	// Signing.
	if len(r.signs) > 0 {
		b.WriteString("## Signing micro-benchmarks\n\n")
		t := table{head: []string{"operation", "library", "ns/op", "× aws-sdk-go-v2", "allocs/op", "B/op"}}
		type key struct{ op, lib string }
		ns := map[key][]float64{}
		allocs := map[key]int64{}
		bytes := map[key]int64{}
		var order []key
		for _, s := range r.signs {
			k := key{s.Op, s.Lib}
			if _, ok := ns[k]; !ok {
				order = append(order, k)
			}
			ns[k] = append(ns[k], s.NsPerOp)
			allocs[k], bytes[k] = s.AllocsPerOp, s.BytesPerOp
		}
		for _, k := range order {
			awsNs := median(ns[key{k.op, "aws-sdk-go-v2"}])
			t.add(k.op, k.lib, num(median(ns[k]), "%.0f"), num(median(ns[k])/awsNs, "%.2f"), fmt.Sprint(allocs[k]), fmt.Sprint(bytes[k]))
		}
		t.write(&b)
		fmt.Fprintf(&b, "Median of %d rounds, each `testing.Benchmark` with -benchtime %s, re-signing one request (see internal/signbench; s3kit and aws-sdk-go-v2 produce the same signature, checked by its test).\n\n", o.rounds, o.signBenchtime)
	}

	// Binary sizes.
	if len(sizes) > 0 {
		b.WriteString("## Binary size of one PutObject\n\n")
		t := table{head: []string{"program", "MiB", "ran against the sink"}}
		for _, s := range sizes {
			ran := "yes"
			if s.ran != nil {
				ran = "no: " + s.ran.Error()
			}
			t.add("cmd/minput/"+s.name, fmt.Sprintf("%.2f", float64(s.bytes)/(1<<20)), ran)
		}
		t.write(&b)
		b.WriteString("Built with `go build -trimpath -ldflags=\"-s -w\"`. hello is a fmt.Println program; nethttp one unsigned PUT with net/http alone, the floor of any library built on it.\n\n")
	}

	b.WriteString("## Method\n\n")
	b.WriteString(`- The sink (internal/sink) runs in the runner's process on loopback, plain http and https (HTTP/1.1 only, as S3; a self-signed certificate made at start, trusted by the children through SSL_CERT_FILE). It discards uploads, answers downloads from one shared pattern buffer, and accepts any signature. Its CPU is not in any client's numbers, but it shares the machine's cores with the client.
- Each measured run is one child process holding one library (cmd/client-*). MB/s is bytes / the child's own wall time of the operation (10^6 bytes per MB). CPU s is the child's user+sys time from rusage, start-up included; peak RSS is the child's VmHWM after the operation (rusage's maxrss would include the runner's, which Linux folds into a vforked child at exec), the highest of the rounds.
- "s3kit cp (command line)" is cmd/client-cli running the s3kit command line, built from this commit, once per transfer: ` + "`s3kit cp s3://bench/KEY FILE --endpoint-url URL --quiet`" + ` (and the reverse for uploads; ` + "`s3kit cp s3://bench/KEY -`" + ` with the pipe as its standard output for the pipe rows), with --max-concurrency 8 --multipart-chunksize 8388608 --multipart-threshold 8388608 in the 8 × 8 MiB rows; credentials and region from the environment, the AWS shared files pointed at /dev/null. Its time and CPU include the command's start-up; its peak RSS is the command's rusage maxrss, which holds client-cli's own few MiB at the exec.
- Rounds run every scenario and every client in turn (A B C … A B C …). "× raw" is the median over rounds of the client's MB/s divided by the raw baseline's in the same round; the defaults rows use the baseline of the 8 × 8 MiB scenario of the same round.
- Downloads to a file write a new file, removed after the run, on disk (a directory under the temp dir, or -dir; its file system is named in each table's title), as users' downloads do; the same downloads into tmpfs (/dev/shm) are separate tables, with no disk in them. The page cache takes the writes in both: a download to disk costs the copy into it, the file system's block allocation, and whatever write-back the client waits for (s3kit DurableDownloads waits for the file to be on stable storage; no other row does). The source files of uploads live in tmpfs when it has room.
- Downloads into an io.Writer hand each client a plain writer (no WriteAt, no ReadFrom) that must receive the object in order: io.Discard, or a pipe whose other end the runner reads, so that the reading costs the client nothing.
- Clients: every library with its own defaults (transport, retries, checksum policy), path-style addressing and static credentials. s3kit is configured with ChecksumWhenSupported, what it does on AWS (a custom endpoint would default to when_required and send no checksum); its payload signing is the default (SHA-256 over http, UNSIGNED-PAYLOAD over https).
`)
	for _, c := range []string{"s3kit", "aws-sdk-go-v2 manager", "aws-sdk-go-v2 transfermanager", "minio-go"} {
		fmt.Fprintf(&b, "- Defaults of %s: %s.\n", c, defaultsNote[c])
	}
	b.WriteString(`- Baselines (cmd/client-raw): net/http with one Transport (256 idle connections per host), 8 parts in flight, 8 MiB parts, 256 KiB copy buffers: "raw" sends the parts with no signing and no hashing, downloads 8 MiB ranges into the file with WriteAt, and into an io.Writer through 9 buffers of 8 MiB written in order; "raw + sha256" also hashes each part before sending it (x-amz-content-sha256), the floor of a signed payload.
- A child's command line: ` + "`client-s3kit -client s3kit -op upload -endpoint http://127.0.0.1:PORT -bucket bench -concurrency 8 -partsize 8388608 -key KEY -file /dev/shm/…/source -size BYTES`" + ` (-op download, download-writer, stream or small for the others; no -concurrency and -partsize for the defaults rows). Run one by hand with cmd/sink for profiling (see its doc).
`)
	return b.String()
}

// transferTable writes one table of large transfers: the rows of each of
// the scenarios, compared with the raw baseline of the first one.
func (r *runner) transferTable(b *strings.Builder, byName map[string]scenario, title string, names ...string) {
	var scens []scenario
	for _, n := range names {
		if sc, ok := byName[n]; ok {
			scens = append(scens, sc)
		}
	}
	if len(scens) == 0 {
		return
	}
	upload := scens[0].op == "upload"
	fmt.Fprintf(b, "## %s\n\n", title)
	t := table{head: []string{"client", "settings", "MB/s", "spread", "× raw"}}
	if upload {
		t.head = append(t.head, "× raw+sha256")
	}
	t.head = append(t.head, "CPU s", "CPU s/GiB", "peak RSS MiB", "runs")
	base := r.samplesOf(names[0], raw.label)
	baseSHA := r.samplesOf(names[0], rawSHA.label)
	for _, sc := range scens {
		for _, c := range sc.clients {
			ss := r.samplesOf(sc.name, c.label)
			st, ok := statOf(ss)
			if !ok {
				row := []string{c.label, settings(sc, c), "failed"}
				for len(row) < len(t.head) {
					row = append(row, "")
				}
				t.add(row...)
				continue
			}
			rr, _ := ratio(ss, base, mbps)
			row := []string{c.label, settings(sc, c), num(st.mbps, "%.0f"), spread(ss), num(rr, "%.2f")}
			if upload {
				rs, _ := ratio(ss, baseSHA, mbps)
				row = append(row, num(rs, "%.2f"))
			}
			row = append(row, num(st.cpu, "%.2f"), num(st.cpuPerGi, "%.2f"), num(st.rssMiB, "%.1f"), fmt.Sprint(st.n))
			t.add(row...)
		}
	}
	t.write(b)
}

// spread is the lowest and highest MB/s of the rounds.
func spread(ss []*sample) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		lo, hi = min(lo, s.mbps()), max(hi, s.mbps())
	}
	if len(ss) < 2 {
		return "–"
	}
	return fmt.Sprintf("%.0f–%.0f", lo, hi)
}

// targets checks the targets against the measurements.
func (r *runner) targets(b *strings.Builder, byName map[string]scenario, sizes []binSize) {
	t := table{head: []string{"target (issues 9 and 16)", "measured", "met"}}
	yes := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "**no**"
	}
	st := func(scen, client string) (stat, bool) { return statOf(r.samplesOf(scen, client)) }
	peers := []clientSpec{awsManager, awsTM, minio}

	if kit, ok := st("upload-http-c8p8", s3kit.label); ok {
		if sha, ok := st("upload-http-c8p8", rawSHA.label); ok {
			rel := kit.cpuPerGi / sha.cpuPerGi
			t.add("upload http, signed: CPU/GiB ≤ 1.05 × raw+sha256", fmt.Sprintf("%.2f vs %.2f s/GiB (%.3f×)", kit.cpuPerGi, sha.cpuPerGi, rel), yes(rel <= 1.05))
		}
		best, who := 0.0, ""
		for _, p := range peers {
			if ps, ok := st("upload-http-c8p8", p.label); ok && ps.mbps > best {
				best, who = ps.mbps, p.label
			}
		}
		if who != "" {
			t.add("upload http: MB/s ≥ every peer", fmt.Sprintf("%.0f vs %.0f (%s)", kit.mbps, best, who), yes(kit.mbps >= best))
		}
	}
	if kit, ok := st("upload-https-c8p8", s3kit.label); ok {
		if rw, ok := st("upload-https-c8p8", raw.label); ok {
			rr, _ := ratio(r.samplesOf("upload-https-c8p8", s3kit.label), r.samplesOf("upload-https-c8p8", raw.label), mbps)
			t.add("upload https, with checksum: ≥ 0.95 × raw", fmt.Sprintf("%.2f", rr), yes(rr >= 0.95))
			rel := kit.cpuPerGi / rw.cpuPerGi
			t.add("upload https: CPU ≤ 1.1 × raw", fmt.Sprintf("%.2f vs %.2f s/GiB (%.3f×)", kit.cpuPerGi, rw.cpuPerGi, rel), yes(rel <= 1.1))
		}
	}
	var worstRSS float64
	var worstAt string
	for _, sc := range []string{"upload-http-c8p8", "upload-http-defaults", "upload-https-c8p8", "upload-https-defaults"} {
		if kit, ok := st(sc, s3kit.label); ok && kit.rssMiB > worstRSS {
			worstRSS, worstAt = kit.rssMiB, sc
		}
	}
	if worstAt != "" {
		t.add(fmt.Sprintf("upload of a %s file: peak RSS ≤ 24 MiB", formatSize(r.o.size)), fmt.Sprintf("%.1f MiB (worst: %s)", worstRSS, worstAt), yes(worstRSS <= 24))
	}
	// Issue 16: downloads to disk, and into an io.Writer, against the raw
	// parallel ranges and each peer in the same round, at no more CPU per
	// GiB than the best peer.
	// The command line's `s3kit cp s3://… ./file` is held to the same.
	for _, d := range []struct {
		scen, what string
		who        clientSpec
	}{
		{"download-http-c8p8", "download to disk, http", s3kit},
		{"download-https-c8p8", "download to disk, https", s3kit},
		{"download-http-c8p8", "s3kit cp s3://… ./file, http", s3kitCLI},
		{"download-https-c8p8", "s3kit cp s3://… ./file, https", s3kitCLI},
		{"download-writer-http-discard", "download into io.Discard, http", s3kit},
		{"download-writer-http-pipe", "download into a pipe, http", s3kit},
		{"download-writer-http-pipe", "s3kit cp s3://… - into a pipe, http", s3kitCLI},
	} {
		kitS := r.samplesOf(d.scen, d.who.label)
		kit, ok := statOf(kitS)
		if !ok {
			continue
		}
		if rr, ok := ratio(kitS, r.samplesOf(d.scen, raw.label), mbps); ok {
			t.add(d.what+": ≥ 0.9 × raw parallel ranges", fmt.Sprintf("%.2f", rr), yes(rr >= 0.9))
		}
		var parts []string
		met := true
		bestCPU, bestWho := math.Inf(1), ""
		for _, p := range peers {
			want := 1.3
			if p.label == minio.label {
				want = 1.5
			}
			if x, found := ratio(kitS, r.samplesOf(d.scen, p.label), mbps); found {
				parts = append(parts, fmt.Sprintf("%.2f× %s", x, p.label))
				met = met && x >= want
			}
			if ps, found := st(d.scen, p.label); found && ps.cpuPerGi < bestCPU {
				bestCPU, bestWho = ps.cpuPerGi, p.label
			}
		}
		if len(parts) > 0 {
			t.add(d.what+": ≥ 1.3 × aws-sdk-go-v2 (both), ≥ 1.5 × minio-go", strings.Join(parts, ", "), yes(met))
		}
		if bestWho != "" {
			t.add(d.what+": CPU/GiB ≤ the best peer's", fmt.Sprintf("%.2f vs %.2f s/GiB (%s)", kit.cpuPerGi, bestCPU, bestWho), yes(kit.cpuPerGi <= bestCPU))
		}
	}
	if x, ok := ratio(r.samplesOf("download-http-c8p8", s3kitSync.label), r.samplesOf("download-http-c8p8", s3kit.label), mbps); ok {
		t.add("download to disk, http, DurableDownloads: cost of the flush (informative)", fmt.Sprintf("%.2f × s3kit's MB/s without it", x), "–")
	}
	for _, w := range []struct {
		name string
		min  float64
	}{{"small-http-w1", 0.8}, {"small-http-w16", 0.6}} {
		kit := r.samplesOf(w.name, s3kit.label)
		if len(kit) == 0 {
			continue
		}
		for _, phase := range []struct {
			name string
			f    func(*sample) float64
		}{{"PUT", putRate}, {"GET", getRate}} {
			rr, ok := ratio(kit, r.samplesOf(w.name, raw.label), phase.f)
			if ok {
				t.add(fmt.Sprintf("small %s, %s: ≥ %.1f × raw", phase.name, workers(w.name), w.min), fmt.Sprintf("%.2f", rr), yes(rr >= w.min))
			}
			rm, okm := ratio(kit, r.samplesOf(w.name, minio.label), phase.f)
			ra, oka := ratio(kit, r.samplesOf(w.name, awsS3.label), phase.f)
			if okm && oka {
				t.add(fmt.Sprintf("small %s, %s: ≥ 1.5 × minio-go, ≥ 2 × aws-sdk-go-v2", phase.name, workers(w.name)),
					fmt.Sprintf("%.2f×, %.2f×", rm, ra), yes(rm >= 1.5 && ra >= 2))
			}
		}
		var allocs []float64
		for _, s := range kit {
			allocs = append(allocs, s.Small.PutAllocs)
		}
		t.add(fmt.Sprintf("small, %s: ≤ 100 allocations per PutObject", workers(w.name)), fmt.Sprintf("%.0f", median(allocs)), yes(median(allocs) <= 100))
	}
	if kit, ok := st("pipe-http-c8p8", s3kit.label); ok {
		if sha, ok := st("pipe-http-c8p8", rawSHA.label); ok {
			rel := kit.cpuPerGi / sha.cpuPerGi
			t.add("pipe http: CPU ≤ 1.1 × raw+sha256 pipe", fmt.Sprintf("%.2f vs %.2f s/GiB (%.3f×)", kit.cpuPerGi, sha.cpuPerGi, rel), yes(rel <= 1.1))
		}
		budget := float64(transfer.DefaultMemoryBudget) / (1 << 20)
		worst := kit.rssMiB
		if d, ok := st("pipe-http-defaults", s3kit.label); ok {
			worst = max(worst, d.rssMiB)
		}
		t.add("pipe: memory within the engine's budget", fmt.Sprintf("peak RSS %.0f MiB, budget %.0f MiB", worst, budget), yes(worst <= budget))
	}
	if len(r.signs) > 0 {
		for _, op := range []string{"sign PutObject", "presign GetObject"} {
			var kitNs, awsNs []float64
			var kitA, awsA int64
			for _, s := range r.signs {
				if s.Op != op {
					continue
				}
				switch s.Lib {
				case "s3kit":
					kitNs, kitA = append(kitNs, s.NsPerOp), s.AllocsPerOp
				case "aws-sdk-go-v2":
					awsNs, awsA = append(awsNs, s.NsPerOp), s.AllocsPerOp
				}
			}
			if len(kitNs) > 0 && len(awsNs) > 0 {
				rn := median(kitNs) / median(awsNs)
				ra := float64(kitA) / float64(awsA)
				t.add(fmt.Sprintf("%s: ≤ 0.5 × aws ns/op, ≤ 0.25 × allocs", op), fmt.Sprintf("%.2f× ns, %.2f× allocs (%d vs %d)", rn, ra, kitA, awsA), yes(rn <= 0.5 && ra <= 0.25))
			}
		}
	}
	// The binary-size goal (issue 16): a bare net/http PUT is already
	// more than the 5 MiB issue 9 asked for the whole program, so what
	// counts is what s3kit adds to it.
	var kitSize, floorSize int64
	for _, s := range sizes {
		switch s.name {
		case "s3kit":
			kitSize = s.bytes
		case "nethttp":
			floorSize = s.bytes
		}
	}
	if kitSize > 0 && floorSize > 0 {
		added := float64(kitSize-floorSize) / (1 << 20)
		t.add("one PutObject: s3kit adds ≤ 0.5 MiB to a bare net/http PUT program",
			fmt.Sprintf("%.2f MiB (%.2f vs %.2f MiB)", added, float64(kitSize)/(1<<20), float64(floorSize)/(1<<20)), yes(added <= 0.5))
	}
	if len(t.rows) == 0 {
		return
	}
	b.WriteString("## Targets\n\n")
	t.write(b)
}

func workers(scenario string) string {
	if n := strings.TrimPrefix(scenario, "small-http-w"); n != "1" {
		return n + " workers"
	}
	return "1 worker"
}
