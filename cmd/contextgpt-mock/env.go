package main

import (
	"fmt"
	"strconv"
	"time"
)

const envPrefix = "CONTEXTGPT_MOCK_"

// envReader reads CONTEXTGPT_MOCK_<NAME> variables through getenv; the first value that
// does not parse is kept in err, naming the variable (the command exits 2 with it).
type envReader struct {
	getenv func(string) string
	err    error
}

func (e *envReader) lookup(name string) (string, bool) {
	v := e.getenv(envPrefix + name)
	return v, v != ""
}

func (e *envReader) fail(name, v string, err error) {
	if e.err == nil {
		e.err = fmt.Errorf("%s%s=%q: %v", envPrefix, name, v, err)
	}
}

func (e *envReader) str(name, def string) string {
	if v, ok := e.lookup(name); ok {
		return v
	}
	return def
}

// int reads an integer; ok tells whether the variable was set.
func (e *envReader) int(name string) (n int64, ok bool) {
	v, ok := e.lookup(name)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		e.fail(name, v, fmt.Errorf("not an integer"))
		return 0, false
	}
	return n, true
}

func (e *envReader) bool(name string, def bool) bool {
	v, ok := e.lookup(name)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.fail(name, v, fmt.Errorf("not a boolean (true, false, 1, 0)"))
		return def
	}
	return b
}

func (e *envReader) duration(name string, def time.Duration) time.Duration {
	v, ok := e.lookup(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err == nil && d <= 0 {
		err = fmt.Errorf("must be positive")
	}
	if err != nil {
		e.fail(name, v, err)
		return def
	}
	return d
}
