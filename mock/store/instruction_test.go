package store

import (
	"sync"
	"testing"

	"github.com/contextgpt/sandbox/mock/apierr"
)

func instrActiveCount[T activatable](list []T) int {
	n := 0
	for _, x := range list {
		if x.itemActive() {
			n++
		}
	}
	return n
}

func TestInstructionSelectRules(t *testing.T) {
	s, bot := starterTestStore(t)
	if _, err := s.Instructions(bot); starterErrCode(err) != apierr.ResourceNotFound {
		t.Fatalf("got %v; want RESOURCE_NOT_FOUND before any exists", err)
	}
	a, err := s.CreateInstruction(bot, NewInstruction{Title: "A", Instruction: "a", IsActive: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateInstruction(bot, NewInstruction{Title: "B", Instruction: "b"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		in      SelectInput
		want    string // title activated
		created bool
		code    string
	}{
		{"by id", SelectInput{ID: b.ID}, "B", false, ""},
		{"id wins over title", SelectInput{ID: a.ID, Title: ptr("B")}, "A", false, ""},
		{"unknown id falls back to title", SelectInput{ID: "nope", Title: ptr("b")}, "B", false, ""},
		{"creates", SelectInput{Title: ptr("C"), Body: ptr("c")}, "C", true, ""},
		{"matches the created one", SelectInput{Title: ptr("C"), Body: ptr("other")}, "C", false, ""},
		{"nothing", SelectInput{}, "", false, apierr.MissingRequiredField},
		{"unknown id alone", SelectInput{ID: "nope"}, "", false, apierr.MissingRequiredField}, // select-instruction documents 200, 201, 400 only
		{"unknown title without body", SelectInput{Title: ptr("D")}, "", false, apierr.MissingRequiredField},
		{"creativity out of range", SelectInput{Title: ptr("E"), Body: ptr("e"), CreativityLevel: ptr(2.0)}, "", false, apierr.InvalidFieldValue},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x, created, err := s.SelectInstruction(bot, tc.in)
			if got := starterErrCode(err); got != tc.code {
				t.Fatalf("got code %q; want %q (%v)", got, tc.code, err)
			}
			list, _ := s.Instructions(bot)
			if n := instrActiveCount(instrPtrs(list)); n != 1 {
				t.Fatalf("%d active after select; want exactly 1", n)
			}
			if err != nil {
				return
			}
			if *x.Title != tc.want || created != tc.created || !x.IsActive || *list[0].Title != tc.want {
				t.Fatalf("got %q created %v first %q; want %q created %v", *x.Title, created, *list[0].Title, tc.want, tc.created)
			}
		})
	}
	list, _ := s.Instructions(bot)
	if len(list) != 3 {
		t.Fatalf("got %d instruction sets; want 3", len(list))
	}
}

func instrPtrs[T any](list []T) []*T {
	out := make([]*T, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out
}

func TestPersonaDeleteNonDeletable(t *testing.T) {
	s, bot := starterTestStore(t)
	p, err := s.CreatePersona(bot, NewPersona{Title: "Fixed", Instructions: "x"})
	if err != nil {
		t.Fatal(err)
	}
	q, err := s.CreatePersona(bot, NewPersona{Title: "Free", Instructions: "y", Description: ptr("d")})
	if err != nil {
		t.Fatal(err)
	}
	s.chatbots[bot].Personas[0].Deletable = false
	out, err := s.DeletePersonas(bot, []string{p.ID, q.ID, "nope"})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.DeletedIDs) != 1 || out.DeletedIDs[0] != q.ID || len(out.FailedIDs) != 2 || out.FailedIDs[0] != p.ID {
		t.Fatalf("got %+v", out)
	}
	if _, err := s.DeletePersonas(bot, []string{"nope"}); starterErrCode(err) != apierr.ResourceNotFound {
		t.Fatalf("got %v; want RESOURCE_NOT_FOUND", err)
	}
	if out, err := s.DeletePersonas(bot, []string{p.ID}); err != nil || len(out.FailedIDs) != 1 {
		t.Fatalf("got %+v, %v; want a 200 outcome with the id failed", out, err)
	}
}

func TestPersonaPatch(t *testing.T) {
	s, bot := starterTestStore(t)
	p, err := s.CreatePersona(bot, NewPersona{Title: "P", Instructions: "x", Description: ptr("d")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdatePersona(bot, p.ID, PersonaPatch{}); starterErrCode(err) != apierr.NoValidFieldsToUpdate {
		t.Fatalf("got %v; want NO_VALID_FIELDS_TO_UPDATE", err)
	}
	if _, err := s.UpdatePersona(bot, "nope", PersonaPatch{Title: ptr("x")}); starterErrCode(err) != apierr.ResourceNotFound {
		t.Fatalf("got %v; want RESOURCE_NOT_FOUND", err)
	}
	got, err := s.UpdatePersona(bot, p.ID, PersonaPatch{ClearDescription: true})
	if err != nil || got.Description != nil {
		t.Fatalf("got %+v, %v; want the description cleared", got, err)
	}
	got.Title = "mutated"
	list, _ := s.Personas(bot)
	if list[0].Title != "P" {
		t.Fatal("a returned persona aliases the state")
	}
}

// Concurrent selects leave exactly one active set.
func TestInstructionConcurrentSelects(t *testing.T) {
	s, bot := starterTestStore(t)
	var ids []string
	for _, title := range []string{"a", "b", "c", "d"} {
		x, err := s.CreateInstruction(bot, NewInstruction{Title: title, Instruction: title})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, x.ID)
	}
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if _, _, err := s.SelectInstruction(bot, SelectInput{ID: ids[i%len(ids)]}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	list, _ := s.Instructions(bot)
	if n := instrActiveCount(instrPtrs(list)); n != 1 || !list[0].IsActive {
		t.Fatalf("%d active, first active %v; want exactly one, first", n, list[0].IsActive)
	}
}
