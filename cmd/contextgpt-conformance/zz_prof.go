package main

import (
	"os"
	"runtime/pprof"
)

func init() {
	if p := os.Getenv("H12_CPUPROFILE"); p != "" {
		f, _ := os.Create(p)
		pprof.StartCPUProfile(f)
		go func() {}()
		profStop = func() { pprof.StopCPUProfile(); f.Close() }
	}
}

var profStop = func() {}
