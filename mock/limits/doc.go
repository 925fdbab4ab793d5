// Package limits holds the mock's rate limiters: sliding logs on an injected clock (exactly the
// requests in (now − window, now] count), in-flight concurrency counters and monthly quotas.
package limits
