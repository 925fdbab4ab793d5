package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"text/tabwriter"
	"time"
)

// report prints the table and the gates, and tells whether every gate passed.
func report(out io.Writer, o options, servers []*server, rows []*row) bool {
	ok := true
	host, _ := os.Hostname()
	fmt.Fprintf(out, "\n%d connections, %d rounds of %s per server and row (medians), %d CPUs (%s/%s), host %s, %s\n\n",
		o.conns, o.rounds, o.duration, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, host, time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(out, "load generator: %s; CPU/req is the server's own CPU time per request\n\n", o.gen)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "row\tserver\treq/s\tp50\tp99\tCPU/req\tRSS MB\terrors\tmock/server\t\n")
	for _, r := range rows {
		mockRPS := median(r.results["mock"], func(x runResult) float64 { return x.rps })
		for _, s := range servers {
			res := r.results[s.name]
			rps := median(res, func(x runResult) float64 { return x.rps })
			p50 := time.Duration(median(res, func(x runResult) float64 { return float64(x.p50) }))
			p99 := time.Duration(median(res, func(x runResult) float64 { return float64(x.p99) }))
			rss := median(res, func(x runResult) float64 { return float64(x.rss) })
			errs := 0
			for _, x := range res {
				errs += x.errs
			}
			ratio := "-"
			if s.name != "mock" && rps > 0 {
				ratio = fmt.Sprintf("%.2fx", mockRPS/rps)
			}
			cpu := time.Duration(median(res, func(x runResult) float64 { return float64(x.cpu) }))
			fmt.Fprintf(tw, "%s\t%s\t%.0f\t%s\t%s\t%s\t%.1f\t%d\t%s\t\n", r.name, s.name, rps, fmtDur(p50), fmtDur(p99), fmtDur(cpu), rss/(1<<20), errs, ratio)
		}
	}
	tw.Flush()
	fmt.Fprintln(out)
	if o.profile != "" {
		fmt.Fprintf(out, "the mock in its last round of each row (-profile: CPU profiles and traces in %s):\n", o.profile)
		for _, r := range rows {
			if r.gc != nil {
				fmt.Fprintf(out, "  %-30s %s\n", r.name, *r.gc)
			}
		}
		fmt.Fprintln(out)
	}
	for _, s := range servers {
		fmt.Fprintf(out, "%-6s start %-8s idle RSS %.1f MB\n", s.name, fmtDur(s.start), float64(s.idleRSS)/(1<<20))
	}
	fmt.Fprintln(out)
	gate := func(pass bool, format string, args ...any) {
		mark := "PASS"
		if !pass {
			mark, ok = "FAIL", false
		}
		fmt.Fprintf(out, "%s  %s\n", mark, fmt.Sprintf(format, args...))
	}
	var mock *server
	for _, s := range servers {
		if s.name == "mock" {
			mock = s
		}
	}
	for _, r := range rows {
		m := r.results["mock"]
		mockRPS := median(m, func(x runResult) float64 { return x.rps })
		p99 := time.Duration(median(m, func(x runResult) float64 { return float64(x.p99) }))
		if p, has := r.results["prism"]; has {
			prismRPS := median(p, func(x runResult) float64 { return x.rps })
			gate(prismRPS > 0 && mockRPS >= gatePrismRatio*prismRPS, "%s: mock/Prism %.1fx (gate >= %.0fx)", r.name, mockRPS/prismRPS, gatePrismRatio)
		} else {
			gate(false, "%s: mock/Prism not measured (-no-prism)", r.name)
		}
		gate(p99 < gateP99, "%s: mock p99 %s (gate < %s)", r.name, fmtDur(p99), gateP99)
		errs := 0
		for _, x := range m {
			errs += x.errs
		}
		gate(errs == 0, "%s: mock answered every request as wanted (%d errors)", r.name, errs)
		if b, has := r.results["bare"]; has {
			bareRPS := median(b, func(x runResult) float64 { return x.rps })
			mark := "met"
			if mockRPS < stretchBare*bareRPS {
				mark = "not met"
			}
			fmt.Fprintf(out, "      %s: mock/bare %.2fx (stretch >= %.1fx: %s)\n", r.name, mockRPS/bareRPS, stretchBare, mark)
		}
		fmt.Fprintf(out, "      %s: %s\n", r.name, cpuRatios(r))
	}
	gate(mock.start < gateStart, "mock start %s (gate < %s)", fmtDur(mock.start), gateStart)
	gate(mock.idleRSS < gateIdleRSS, "mock idle RSS %.1f MB (gate < %d MB)", float64(mock.idleRSS)/(1<<20), gateIdleRSS>>20)
	return ok
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%dus", d.Microseconds())
	}
}

func median(rs []runResult, f func(runResult) float64) float64 {
	if len(rs) == 0 {
		return 0
	}
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// cpuRatios states each server's CPU per request against the mock's, for reading a run on a
// busy machine, where the rates move with the neighbours and CPU per request far less. It
// informs; the gates stay on the rates.
func cpuRatios(r *row) string {
	cpu := func(name string) time.Duration {
		return time.Duration(median(r.results[name], func(x runResult) float64 { return float64(x.cpu) }))
	}
	m := cpu("mock")
	out := "CPU per request: mock " + fmtDur(m)
	for _, name := range []string{"bare", "prism"} {
		if _, has := r.results[name]; !has {
			continue
		}
		if c := cpu(name); c > 0 && m > 0 {
			out += fmt.Sprintf(", %s %s (mock/%s by CPU %.2fx)", name, fmtDur(c), name, float64(c)/float64(m))
		}
	}
	return out + " (informational)"
}
