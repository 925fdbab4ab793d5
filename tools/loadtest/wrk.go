package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The load generator. wrk (Debian's `wrk`, written in C) costs a fraction of the CPU per
// request that Go's net/http client does, which matters on a 2-core machine where the
// generator shares the cores with the server under test: with the Go generator the bare
// server's own p99 was 4-6 ms. `-generator auto` (the default) takes wrk when it is on
// the PATH and the Go generator otherwise; one run uses one generator for every server, so
// the ratios compare like with like. wrk runs are bounded by time (-d) and a per-request
// timeout; the Go generator by time and count.
//
// Pinning (`-pin`, on by default where taskset exists and there are at least two CPUs):
// the servers run on CPU 0 and wrk on CPU 1, so the server under test and the generator
// do not take each other's core; the Go generator (in this process) is not pinned.

// generator names the load generator of a run.
type generator struct {
	wrk     string // wrk's path; "" for the Go generator
	version string
	pin     bool // servers on CPU 0, wrk on CPU 1 (taskset)
}

// chooseGenerator picks the generator and pinning from -generator and -pin.
func chooseGenerator(kind, pin string) (generator, error) {
	var g generator
	switch kind {
	case "auto", "wrk":
		if p, err := exec.LookPath("wrk"); err == nil {
			g.wrk = p
			g.version = wrkVersion(p)
		} else if kind == "wrk" {
			return g, errors.New("-generator wrk: wrk not found on the PATH (Debian: apt-get install wrk)")
		}
	case "go":
	default:
		return g, fmt.Errorf("-generator %q: want auto, wrk or go", kind)
	}
	_, tasksetErr := exec.LookPath("taskset")
	canPin := tasksetErr == nil && runtime.NumCPU() >= 2
	switch pin {
	case "auto":
		g.pin = canPin
	case "on":
		if !canPin {
			return g, errors.New("-pin on: needs taskset and at least two CPUs")
		}
		g.pin = true
	case "off":
	default:
		return g, fmt.Errorf("-pin %q: want auto, on or off", pin)
	}
	return g, nil
}

func (g generator) String() string {
	s := "Go net/http generator (in the loadtest process)"
	if g.wrk != "" {
		s = "wrk " + g.version + ", 1 thread"
	}
	switch {
	case g.pin && g.wrk != "":
		s += "; servers pinned to CPU 0, wrk to CPU 1 (taskset)"
	case g.pin:
		s += "; servers pinned to CPU 0 (taskset), the generator not pinned"
	default:
		s += "; nothing pinned"
	}
	return s
}

// serverArgv is argv, run on CPU 0 when pinning.
func (g generator) serverArgv(argv []string) []string {
	if !g.pin {
		return argv
	}
	return append([]string{"taskset", "-c", "0"}, argv...)
}

// drive runs one measured (or warm-up) load against s with the chosen generator.
func (g generator) drive(ctx context.Context, s *server, key string, t target, conns int, d time.Duration, maxReqs int) runResult {
	if g.wrk == "" {
		return drive(ctx, s, key, t, conns, d, maxReqs)
	}
	res, err := g.driveWrk(ctx, s, key, t, conns, d)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest: wrk:", err)
		res.errs = max(res.errs, 1)
	}
	return res
}

func wrkVersion(path string) string {
	out, _ := exec.Command(path, "-v").CombinedOutput()
	if m := regexp.MustCompile(`wrk (\S+)`).FindSubmatch(out); m != nil {
		return string(m[1])
	}
	return "(unknown version)"
}

// driveWrk runs wrk for d (whole seconds, at least one) with conns connections on one
// thread, the request described by a Lua script, and reads its summary.
func (g generator) driveWrk(ctx context.Context, s *server, key string, t target, conns int, d time.Duration) (runResult, error) {
	script, err := os.CreateTemp("", "contextgpt-loadtest-*.lua")
	if err != nil {
		return runResult{}, err
	}
	defer os.Remove(script.Name())
	if _, err := script.WriteString(wrkScript(key, t)); err != nil {
		script.Close()
		return runResult{}, err
	}
	if err := script.Close(); err != nil {
		return runResult{}, err
	}
	secs := max(1, int(math.Ceil(d.Seconds())))
	argv := []string{g.wrk, "-t1", "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(secs) + "s", "--latency", "--timeout", "10s",
		"-s", script.Name(), s.base + s.prefix + t.path}
	if g.pin {
		argv = append([]string{"taskset", "-c", "1"}, argv...)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(secs)*time.Second+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return runResult{}, fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return parseWrk(out.String())
}

// wrkScript is the Lua setup of one target: method, headers, body (a long bracket whose
// level the body cannot close).
func wrkScript(key string, t target) string {
	var b strings.Builder
	fmt.Fprintf(&b, "wrk.method = %q\n", t.method)
	fmt.Fprintf(&b, "wrk.headers[\"Authorization\"] = %q\n", "Bearer "+key)
	if t.body != nil {
		eq := "="
		for strings.Contains(string(t.body), "]"+eq+"]") {
			eq += "="
		}
		fmt.Fprintf(&b, "wrk.headers[\"Content-Type\"] = \"application/json\"\n")
		fmt.Fprintf(&b, "wrk.body = [%s[%s]%s]\n", eq, t.body, eq)
	}
	return b.String()
}

var (
	wrkCount   = regexp.MustCompile(`(?m)^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)`)
	wrkRate    = regexp.MustCompile(`(?m)^Requests/sec:\s*([\d.]+)`)
	wrkPct     = regexp.MustCompile(`(?m)^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$`)
	wrkNon2xx  = regexp.MustCompile(`(?m)^\s*Non-2xx or 3xx responses:\s*(\d+)`)
	wrkSockErr = regexp.MustCompile(`(?m)^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// parseWrk reads wrk's summary (with --latency): requests, rate, p50, p99, and as errors
// the non-2xx/3xx answers and socket errors (every target of the load test wants a 2xx).
func parseWrk(out string) (runResult, error) {
	var res runResult
	m := wrkCount.FindStringSubmatch(out)
	r := wrkRate.FindStringSubmatch(out)
	if m == nil || r == nil {
		return res, fmt.Errorf("unreadable wrk output: %.500s", out)
	}
	res.reqs, _ = strconv.Atoi(m[1])
	res.rps, _ = strconv.ParseFloat(r[1], 64)
	for _, p := range wrkPct.FindAllStringSubmatch(out, -1) {
		d, err := wrkDuration(p[2], p[3])
		if err != nil {
			return res, err
		}
		if p[1] == "50" {
			res.p50 = d
		} else {
			res.p99 = d
		}
	}
	if res.reqs > 0 && (res.p50 == 0 || res.p99 == 0) {
		return res, fmt.Errorf("wrk output without the latency distribution: %.500s", out)
	}
	if e := wrkNon2xx.FindStringSubmatch(out); e != nil {
		n, _ := strconv.Atoi(e[1])
		res.errs += n
	}
	if e := wrkSockErr.FindStringSubmatch(out); e != nil {
		for _, f := range e[1:] {
			n, _ := strconv.Atoi(f)
			res.errs += n
		}
	}
	return res, nil
}

func wrkDuration(num, unit string) (time.Duration, error) {
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, err
	}
	scale := map[string]float64{"us": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}[unit]
	return time.Duration(f * scale), nil
}

// cpu is the server process's CPU time so far (user + system, /proc/<pid>/stat; Linux),
// 0 when it cannot be read. Divided by the requests of a run it is the server's cost per
// request, a figure a busy machine disturbs far less than the rate.
func (s *server) cpu() time.Duration {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return cpuOf(s.cmd.Process.Pid)
}

// clockTicks is the kernel's USER_HZ, the unit of /proc's CPU times (100 on Linux).
const clockTicks = 100

func cpuOf(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces: the fields after it start past its ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 { // state is f[0]; utime and stime are fields 14 and 15 of the line
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / clockTicks
}
