package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// procStatus is what /proc/<pid>/status says of the mock's memory, in bytes.
type procStatus struct {
	rss  uint64 // VmRSS: resident now
	peak uint64 // VmHWM: the highest resident set since start
	// runtimePeak is the mock's own watch's peak (GET /__mock/health), what GOMEMLIMIT
	// counts; 0 when unknown.
	runtimePeak uint64
}

func (m *mockProcess) status() (procStatus, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", m.cmd.Process.Pid))
	if err != nil {
		return procStatus{}, err
	}
	return parseStatus(b)
}

// parseStatus reads VmRSS and VmHWM (kB) from a /proc/<pid>/status document.
func parseStatus(b []byte) (procStatus, error) {
	var st procStatus
	found := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return st, fmt.Errorf("%s: unexpected %q", name, rest)
		}
		kb, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return st, fmt.Errorf("%s: %w", name, err)
		}
		if name == "VmRSS" {
			st.rss = kb << 10
		} else {
			st.peak = kb << 10
		}
		found++
	}
	if found != 2 {
		return st, fmt.Errorf("VmRSS or VmHWM missing")
	}
	return st, nil
}

// parseSize reads sizes such as 512MiB, 2GiB (or M, G; powers of 1024).
func parseSize(s string) (uint64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for _, u := range []struct {
		suffix string
		mult   uint64
	}{{"gib", 1 << 30}, {"mib", 1 << 20}, {"gb", 1 << 30}, {"mb", 1 << 20}, {"g", 1 << 30}, {"m", 1 << 20}} {
		if num, ok := strings.CutSuffix(t, u.suffix); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(num), 10, 64)
			if err != nil || n == 0 {
				break
			}
			return n * u.mult, nil
		}
	}
	return 0, fmt.Errorf("--max-memory must be a size such as 512MiB or 2GiB, not %q", s)
}

// report prints the phases and the verdict; it returns the exit code.
func report(out io.Writer, phases []*phase, st procStatus, ceiling, allowance uint64, died bool) int {
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nATTACK\tREQUESTS\tANSWERS\tCONN ERRORS\tLARGEST BODY\tSECONDS\tPEAK RSS (MiB)\tNOTE")
	var fivexx, memRefused int
	for _, p := range phases {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%.1f\t%d\t%s\n", p.name, p.sent, answers(p), p.connErrs, kib(p.maxBody),
			p.dur.Seconds(), p.peakRSS>>20, p.note)
		fivexx += p.fivexx()
		memRefused += p.memoryRefusals()
	}
	_ = tw.Flush()
	figure := ceiling + allowance
	fmt.Fprintf(out, "\npeak RSS of the mock (VmHWM): %d MiB; stated figure: --max-memory %d MiB + %d MiB transient = %d MiB (peak/figure %.2f)\n",
		st.peak>>20, ceiling>>20, allowance>>20, figure>>20, float64(st.peak)/float64(figure))
	if st.runtimePeak > 0 {
		fmt.Fprintf(out, "the mock's own watch (GET /__mock/health): Go runtime memory peaked at %d MiB (%.2f of the ceiling)\n",
			st.runtimePeak>>20, float64(st.runtimePeak)/float64(ceiling))
	}
	code := 0
	fail := func(format string, args ...any) {
		fmt.Fprintf(out, "FAIL: "+format+"\n", args...)
		code = 1
	}
	if st.peak > figure {
		fail("the peak resident memory passed the stated figure")
	}
	if fivexx > 0 {
		fail("%d answers were 5xx (or a promise of the ceiling did not hold)", fivexx)
	}
	if died {
		fail("the mock exited during the attacks")
	}
	if memRefused == 0 {
		fail("the memory ceiling never refused a write: the attacks did not reach it (raise --scale or lower --max-memory)")
	}
	if code == 0 {
		fmt.Fprintf(out, "PASS: %d writes refused at the ceiling, no 5xx, peak within the figure\n", memRefused)
	}
	return code
}

// answers summarises a phase's statuses and error codes, e.g. "201×9800 403×200 (STORE_LIMIT_REACHED/memory×200)".
func answers(p *phase) string {
	var parts []string
	statuses := make([]int, 0, len(p.statuses))
	for s := range p.statuses {
		statuses = append(statuses, s)
	}
	sort.Ints(statuses)
	for _, s := range statuses {
		parts = append(parts, fmt.Sprintf("%d×%d", s, p.statuses[s]))
	}
	codes := make([]string, 0, len(p.codes))
	for c := range p.codes {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var cs []string
	for _, c := range codes {
		cs = append(cs, fmt.Sprintf("%s×%d", c, p.codes[c]))
	}
	s := strings.Join(parts, " ")
	if len(cs) > 0 {
		s += " (" + strings.Join(cs, ", ") + ")"
	}
	return s
}

func kib(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
}
