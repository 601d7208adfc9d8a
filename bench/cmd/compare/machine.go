package main

// The machine and software a run was measured on, for the report.

import (
	"bufio"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

func readFirst(path, prefix string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), prefix) {
			_, v, _ := strings.Cut(sc.Text(), ":")
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func cpuModel() string { return readFirst("/proc/cpuinfo", "model name") }
func memTotal() string {
	kb, err := strconv.ParseInt(strings.TrimSuffix(readFirst("/proc/meminfo", "MemTotal"), " kB"), 10, 64)
	if err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
}

func kernel() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return runtime.GOOS
	}
	return "Linux " + strings.TrimSpace(string(b))
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// versions lists the libraries the client programs were built with, from
// their build information, and s3kit's commit.
func (r *runner) versions() []string {
	var out []string
	want := map[string]bool{
		"github.com/aws/aws-sdk-go-v2":                            true,
		"github.com/aws/aws-sdk-go-v2/service/s3":                 true,
		"github.com/aws/aws-sdk-go-v2/feature/s3/manager":         true,
		"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager": true,
		"github.com/minio/minio-go/v7":                            true,
	}
	goVersion := runtime.Version()
	for _, bin := range []string{"client-aws", "client-minio"} {
		info, err := buildinfo.ReadFile(filepath.Join(r.binDir, bin))
		if err != nil {
			continue
		}
		goVersion = info.GoVersion
		for _, d := range info.Deps {
			if want[d.Path] {
				out = append(out, d.Path+" "+d.Version)
				delete(want, d.Path)
			}
		}
	}
	rev := "unknown commit"
	if b, err := exec.Command("git", "-C", r.moduleDir, "rev-parse", "--short", "HEAD").Output(); err == nil {
		rev = "commit " + strings.TrimSpace(string(b))
		// Uncommitted changes to the library (outside bench/) are part
		// of what was measured: say so.
		st, err := exec.Command("git", "-C", filepath.Dir(r.moduleDir), "status", "--porcelain", "--", ".", ":!bench").Output()
		if err == nil && len(strings.TrimSpace(string(st))) > 0 {
			rev += " with uncommitted changes in the working tree"
		}
	}
	return append([]string{"s3kit " + rev, goVersion}, out...)
}

func numCPU() int { return runtime.NumCPU() }
