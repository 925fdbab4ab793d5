// Package mock is the stateful ContextGPT mock server as an http.Handler: the request chain
// (recover, match, auth, validation), the domain handlers of every operation, and the
// control plane under /__mock. State and rules live in mock/store.
package mock
