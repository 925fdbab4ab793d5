package store

import (
	"testing"

	"github.com/contextgpt/sandbox/mock/plans"
)

// Regression: generated ids ran into ids that fixtures pin in the same range.
func TestGeneratedIDsStepOverPinnedOnes(t *testing.T) {
	s := New(Config{Seed: 1})
	acc, err := s.CreateAccount(NewAccount{Name: "a", Plan: plans.Enterprise})
	if err != nil {
		t.Fatal(err)
	}
	// The account took idBase+1; pin the next three, which the sequence would hand out.
	for i := int64(2); i <= 4; i++ {
		pinned := NewChatbot{ID: itoaTest(idBase + i), Name: "pinned " + itoaTest(i)}
		if _, err := s.CreateChatbot(acc.ID, "", pinned); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.CreateChatbot(acc.ID, "", NewChatbot{Name: "generated"})
	if err != nil {
		t.Fatalf("generated chatbot: %v", err)
	}
	if got.ID != itoaTest(idBase+5) {
		t.Fatalf("got id %s; want %d (the first free one)", got.ID, idBase+5)
	}
}

func itoaTest(n int64) string {
	const digits = "0123456789"
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{digits[n%10]}, b...)
		n /= 10
	}
	for len(b) < 18 {
		b = append([]byte{'0'}, b...)
	}
	return string(b)
}
