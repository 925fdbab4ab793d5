package spec

import (
	"crypto/sha256"
	"sync"
)

// Loading a document is the slow part of starting anything (for contextgpt.yaml about 0.3 s
// to Load and 0.2 s to build a ResponseValidator, 5-10x that under the race detector). A
// *Spec and a *ResponseValidator are never modified after they are built and are safe for
// concurrent use, so a process that starts many mocks or runs (tests, sandboxes) can load
// each document once: Shared and SharedResponseValidator memoize by the document's content.

type sharedEntry[T any] struct {
	once sync.Once
	v    T
	err  error
}

var (
	sharedSpecs      sync.Map // [sha256.Size]byte → *sharedEntry[*Spec]
	sharedValidators sync.Map // [sha256.Size]byte → *sharedEntry[*ResponseValidator]
)

func shared[T any](m *sync.Map, document []byte, build func([]byte) (T, error)) (T, error) {
	key := sha256.Sum256(document)
	e, _ := m.LoadOrStore(key, &sharedEntry[T]{})
	entry := e.(*sharedEntry[T])
	entry.once.Do(func() { entry.v, entry.err = build(document) })
	return entry.v, entry.err
}

// Shared is Load, done once per process for each distinct document; every caller gets the
// same *Spec (callers must not modify its Doc).
func Shared(document []byte) (*Spec, error) {
	return shared(&sharedSpecs, document, Load)
}

// SharedResponseValidator is NewResponseValidator, done once per process for each
// distinct document; every caller gets the same validator.
func SharedResponseValidator(document []byte) (*ResponseValidator, error) {
	return shared(&sharedValidators, document, NewResponseValidator)
}
