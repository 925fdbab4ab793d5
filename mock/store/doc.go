// Package store is the mock's domain state and its rules: accounts, users, API keys,
// chatbots and everything they own, threads and messages, leads and webhooks. It is
// transport-free: handlers in package mock decode requests and call it.
package store
