package spec

import (
	"embed"
)

//go:embed *.yaml
var documents embed.FS

// ContextGPTDocument returns the embedded OpenAPI document of the ContextGPT API.
func ContextGPTDocument() []byte { return mustRead("contextgpt.yaml") }

// MockAdminDocument returns the embedded OpenAPI document of the mock's control plane.
func MockAdminDocument() []byte { return mustRead("mock-admin.yaml") }

func mustRead(name string) []byte {
	b, err := documents.ReadFile(name)
	if err != nil {
		// The files are embedded at build time; a missing one is a build defect.
		panic("spec: embedded document missing: " + name)
	}
	return b
}
