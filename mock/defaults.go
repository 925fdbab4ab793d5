package mock

import "github.com/contextgpt/sandbox/mock/store"

// defaultsFor returns a fresh, complete document for the named component schema of the
// served spec (e.g. "AppearanceSettings", "LeadSettings"): every property present, with its
// `default`, else null when nullable, else the zero value of its type (nested objects are
// filled the same way, arrays are empty). The templates are built once in New
// (spec.Defaults); each call deep-copies one, so callers may modify the result freely.
// An unknown name gives an empty document.
func (m *Mock) defaultsFor(schemaName string) store.Doc {
	t, ok := m.defaults[schemaName]
	if !ok {
		return store.Doc{}
	}
	return store.CloneDoc(t)
}
