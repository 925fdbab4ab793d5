// Package spec holds the contract of the ContextGPT API sandbox: the embedded OpenAPI documents,
// matching a request to its operation, and validating requests and responses against them.
// It is shared by the mock and the conformance harness and knows nothing of either.
package spec
