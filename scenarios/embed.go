// Package scenarios embeds the built-in conformance suite: Arazzo 1.0.1 documents that run
// the ContextGPT API's documented workflows against any target.
package scenarios

import "embed"

// FS holds the built-in *.arazzo.yaml documents at its root.
//
//go:embed *.arazzo.yaml
var FS embed.FS
