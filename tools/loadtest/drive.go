package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"
)

// drive runs a closed loop of conns connections against one server for d (or until max
// requests), and returns the rate and the exact p50 and p99 of every latency.
func drive(ctx context.Context, s *server, key string, t target, conns int, d time.Duration, maxReqs int) runResult {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	url := s.base + s.prefix + t.path
	var (
		mu    sync.Mutex
		lats  []time.Duration
		errs  int
		count int
	)
	per := maxReqs/conns + 1
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	began := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			bad := 0
			for len(local) < per && ctx.Err() == nil {
				var body io.Reader
				if t.body != nil {
					body = bytes.NewReader(t.body)
				}
				req, _ := http.NewRequest(t.method, url, body)
				req.Header.Set("Authorization", "Bearer "+key)
				if t.body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				start := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != t.want {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if ctx.Err() != nil {
					break // cut off by the end of the run: not counted
				}
				local = append(local, time.Since(start))
				if err != nil {
					bad++
				}
			}
			mu.Lock()
			lats = append(lats, local...)
			errs += bad
			count += len(local)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	res := runResult{reqs: count, errs: errs}
	if count == 0 {
		return res
	}
	res.rps = float64(count) / elapsed.Seconds()
	slices.Sort(lats)
	res.p50 = lats[(len(lats)-1)*50/100]
	res.p99 = lats[(len(lats)-1)*99/100]
	return res
}

// getState exports the mock's state document.

// send sends t once to s with key and returns the answer and its body.
func send(s *server, key string, t target) (*http.Response, []byte, error) {
	var body io.Reader
	if t.body != nil {
		body = bytes.NewReader(t.body)
	}
	req, err := http.NewRequest(t.method, s.base+s.prefix+t.path, body)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if t.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func checkTarget(s *server, key string, t target) error {
	resp, b, err := send(s, key, t)
	if err != nil {
		return err
	}
	if resp.StatusCode != t.want {
		return fmt.Errorf("%s %s: status %d, want %d: %.300s", t.method, t.path, resp.StatusCode, t.want, b)
	}
	return nil
}

// captureResponse saves the mock's answer to t (status line, headers, body) for the bare
// server: <file>.status, <file>.headers (JSON), <file>.body.
func captureResponse(s *server, key string, t target, file string) error {
	resp, b, err := send(s, key, t)
	if err != nil {
		return err
	}
	if resp.StatusCode != t.want {
		return fmt.Errorf("mock: %s %s: status %d, want %d: %.300s", t.method, t.path, resp.StatusCode, t.want, b)
	}
	h := map[string]string{}
	for k := range resp.Header {
		if k != "Date" && k != "Content-Length" {
			h[k] = resp.Header.Get(k)
		}
	}
	hb, _ := json.Marshal(h)
	if err := os.WriteFile(file+".status", []byte(strconv.Itoa(resp.StatusCode)), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(file+".headers", hb, 0o600); err != nil {
		return err
	}
	return os.WriteFile(file+".body", b, 0o600)
}
