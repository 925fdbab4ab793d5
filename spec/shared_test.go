package spec

import (
	"sync"
	"testing"
)

func TestSharedLoadsEachDocumentOnce(t *testing.T) {
	var wg sync.WaitGroup
	got := make([]*Spec, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Shared(MockAdminDocument())
			if err != nil {
				t.Error(err)
			}
			got[i] = s
		}()
	}
	wg.Wait()
	for _, s := range got[1:] {
		if s != got[0] {
			t.Fatal("Shared returned two specs for one document")
		}
	}
	other, err := Shared(ContextGPTDocument())
	if err != nil || other == got[0] {
		t.Fatalf("another document: %v (same spec: %v)", err, other == got[0])
	}
	v1, err1 := SharedResponseValidator(MockAdminDocument())
	v2, err2 := SharedResponseValidator(MockAdminDocument())
	if err1 != nil || err2 != nil || v1 != v2 {
		t.Fatalf("SharedResponseValidator: %v %v, same: %v", err1, err2, v1 == v2)
	}
}

func TestSharedRemembersAnError(t *testing.T) {
	for i := 0; i < 2; i++ {
		if _, err := Shared([]byte("openapi: [not a document")); err == nil {
			t.Fatal("a broken document loaded")
		}
	}
}
