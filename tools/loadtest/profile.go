package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/exp/trace"
)

// -profile DIR: the mock runs with --debug-addr, and during its measured run in the last
// round of each row the load test takes a CPU profile and an execution trace of it, writes
// both to DIR, and reads the trace for what makes a tail: how long the garbage collector's
// mark phases were, how much of the run they covered, and the longest stretch one of its
// background workers held a processor (with one CPU, every request in flight waits that
// long). `go tool pprof` and `go tool trace` open the files.

// gcFigures is what the trace says of the collector during a run.
type gcFigures struct {
	window      time.Duration // how long the trace ran
	phases      int           // mark phases that began in it
	markTime    time.Duration // their total length
	longestMark time.Duration
	longestRun  time.Duration // the longest stretch a GC background worker ran without a pause
	assist      time.Duration // time requests spent in mark assist
}

func (g gcFigures) String() string {
	if g.window <= 0 {
		return "no trace"
	}
	return fmt.Sprintf("GC: %d mark phases in %s (%.0f%% of the time, longest %s); longest stretch of a GC worker %s; mark assist %s",
		g.phases, g.window.Round(time.Millisecond), 100*float64(g.markTime)/float64(g.window), g.longestMark.Round(100*time.Microsecond),
		g.longestRun.Round(100*time.Microsecond), g.assist.Round(100*time.Microsecond))
}

// profileRun takes a CPU profile and a trace of the mock for d (from base, its debug
// listener) into dir under name, returning what the trace says. It runs alongside the load.
func profileRun(ctx context.Context, debugBase, dir, name string, d time.Duration) (gcFigures, error) {
	secs := int(d / time.Second)
	if secs < 1 {
		secs = 1
	}
	cpuFile := filepath.Join(dir, name+"-cpu.pprof")
	traceFile := filepath.Join(dir, name+"-trace.out")
	errc := make(chan error, 1)
	go func() { errc <- fetch(ctx, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", debugBase, secs), cpuFile) }()
	terr := fetch(ctx, fmt.Sprintf("%s/debug/pprof/trace?seconds=%d", debugBase, secs), traceFile)
	cerr := <-errc
	if err := errors.Join(terr, cerr); err != nil {
		return gcFigures{}, err
	}
	f, err := os.Open(traceFile)
	if err != nil {
		return gcFigures{}, err
	}
	defer f.Close()
	return readGC(f)
}

func fetch(ctx context.Context, url, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("%s: %d %s", url, resp.StatusCode, b)
	}
	out, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, resp.Body); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// readGC reads an execution trace (Go 1.22+ format) for gcFigures.
func readGC(r io.Reader) (gcFigures, error) {
	tr, err := trace.NewReader(r)
	if err != nil {
		return gcFigures{}, err
	}
	var (
		g           gcFigures
		first, last trace.Time
		markStart   trace.Time
		running     = map[trace.GoID]trace.Time{} // goroutine → when it began running
		workers     = map[trace.GoID]bool{}       // goroutines seen in gcBgMarkWorker
		workerRuns  = map[trace.GoID][]time.Duration{}
		assistStart = map[trace.GoID]trace.Time{}
	)
	for {
		ev, err := tr.ReadEvent()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return g, err
		}
		if first == 0 {
			first = ev.Time()
		}
		last = ev.Time()
		switch ev.Kind() {
		case trace.EventRangeBegin:
			switch ev.Range().Name {
			case "GC concurrent mark phase":
				markStart = ev.Time()
			case "GC mark assist":
				assistStart[ev.Goroutine()] = ev.Time()
			}
		case trace.EventRangeEnd:
			switch ev.Range().Name {
			case "GC concurrent mark phase":
				if markStart != 0 {
					d := time.Duration(ev.Time() - markStart)
					g.phases++
					g.markTime += d
					g.longestMark = max(g.longestMark, d)
					markStart = 0
				}
			case "GC mark assist":
				if at, ok := assistStart[ev.Goroutine()]; ok {
					g.assist += time.Duration(ev.Time() - at)
					delete(assistStart, ev.Goroutine())
				}
			}
		case trace.EventStateTransition:
			st := ev.StateTransition()
			if st.Resource.Kind != trace.ResourceGoroutine {
				continue
			}
			id := st.Resource.Goroutine()
			for fr := range ev.Stack().Frames() {
				if strings.HasPrefix(fr.Func, "runtime.gcBgMarkWorker") {
					workers[id] = true
				}
			}
			from, to := st.Goroutine()
			if to == trace.GoRunning {
				running[id] = ev.Time()
			} else if from == trace.GoRunning {
				if at, ok := running[id]; ok {
					workerRuns[id] = append(workerRuns[id], time.Duration(ev.Time()-at))
					delete(running, id)
				}
			}
		}
	}
	if markStart != 0 { // a phase still running when the trace ended
		d := time.Duration(last - markStart)
		g.phases++
		g.markTime += d
		g.longestMark = max(g.longestMark, d)
	}
	for id, runs := range workerRuns {
		if workers[id] {
			for _, d := range runs {
				g.longestRun = max(g.longestRun, d)
			}
		}
	}
	g.window = time.Duration(last - first)
	return g, nil
}
