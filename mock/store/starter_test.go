package store

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/plans"
)

// starterTestStore is a store with one enterprise account and one chatbot in it.
func starterTestStore(t testing.TB) (*Store, string) {
	t.Helper()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s := New(Config{Seed: 7, Now: func() time.Time { return now }})
	sb, err := s.CreateSandbox(plans.Enterprise, "")
	if err != nil {
		t.Fatal(err)
	}
	bot, err := s.CreateChatbot(sb.AccountID, sb.UserID, NewChatbot{Name: "bot"})
	if err != nil {
		t.Fatal(err)
	}
	return s, bot.ID
}

func starterErrCode(err error) string {
	var e *apierr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestPairInputValidate(t *testing.T) {
	s := func(v string) *string { return &v }
	cases := []struct {
		name   string
		in     PairInput
		button bool
		code   string
		path   string
	}{
		{"button", PairInput{ButtonTitle: s("a"), ButtonMessage: s("b")}, true, "", ""},
		{"link", PairInput{LinkText: s("a"), LinkSrc: s("https://x")}, false, "", ""},
		{"button with blank link", PairInput{ButtonTitle: s("a"), ButtonMessage: s("b"), LinkText: s(""), LinkSrc: s(" ")}, true, "", ""},
		{"both", PairInput{ButtonTitle: s("a"), ButtonMessage: s("b"), LinkText: s("c"), LinkSrc: s("d")}, false, apierr.MissingRequiredField, ""},
		{"button and half link", PairInput{ButtonTitle: s("a"), LinkSrc: s("d")}, false, apierr.MissingRequiredField, ""},
		{"neither", PairInput{}, false, apierr.MissingRequiredField, "buttonTitle"},
		{"half button", PairInput{ButtonTitle: s("a")}, false, apierr.MissingRequiredField, "buttonMessage"},
		{"half link", PairInput{LinkSrc: s("x")}, false, apierr.MissingRequiredField, "linkText"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			button, err := tc.in.validate()
			if got := starterErrCode(err); got != tc.code {
				t.Fatalf("got code %q; want %q (%v)", got, tc.code, err)
			}
			if err == nil && button != tc.button {
				t.Fatalf("got button %v; want %v", button, tc.button)
			}
			if tc.path != "" {
				var e *apierr.Error
				errors.As(err, &e)
				if len(e.Fields) == 0 || e.Fields[0].Path[0] != tc.path {
					t.Fatalf("got fields %v; want the first naming %s", e.Fields, tc.path)
				}
			}
		})
	}
}

func TestStarterReorderRefusedLeavesOrder(t *testing.T) {
	s, bot := starterTestStore(t)
	var ids []string
	for i := 0; i < 3; i++ {
		x, err := s.CreateStarter(bot, PairInput{ButtonTitle: ptr(fmt.Sprint(i)), ButtonMessage: ptr("m")})
		if err != nil {
			t.Fatal(err)
		}
		if x.Rank != i {
			t.Fatalf("got rank %d; want %d", x.Rank, i)
		}
		ids = append(ids, x.ID)
	}
	for _, bad := range [][]string{{ids[2], ids[1], "nope"}, {ids[2], ids[2], ids[0]}} {
		if err := s.ReorderStarters(bot, bad); starterErrCode(err) != apierr.InvalidFieldValue {
			t.Fatalf("reorder %v: got %v; want INVALID_FIELD_VALUE", bad, err)
		}
	}
	// An empty list is the documented MISSING_REQUIRED_FIELD.
	if err := s.ReorderStarters(bot, []string{}); starterErrCode(err) != apierr.MissingRequiredField {
		t.Fatalf("reorder []: got %v; want MISSING_REQUIRED_FIELD", err)
	}
	list, _ := s.Starters(bot)
	for i, x := range list {
		if x.ID != ids[i] || x.Rank != i {
			t.Fatalf("a refused reorder changed the order: %v", list)
		}
	}
	if err := s.ReorderStarters(bot, []string{ids[2], ids[0], ids[1]}); err != nil {
		t.Fatal(err)
	}
	list, _ = s.Starters(bot)
	if list[0].ID != ids[2] || list[1].ID != ids[0] || list[2].ID != ids[1] || list[2].Rank != 2 {
		t.Fatalf("got %v after reorder", list)
	}
}

func TestStarterCopies(t *testing.T) {
	s, bot := starterTestStore(t)
	x, err := s.CreateStarter(bot, PairInput{ButtonTitle: ptr("a"), ButtonMessage: ptr("b")})
	if err != nil {
		t.Fatal(err)
	}
	*x.ButtonTitle = "changed"
	list, _ := s.Starters(bot)
	if *list[0].ButtonTitle != "a" {
		t.Fatal("a returned starter aliases the state")
	}
}

func TestFollowUpDeleteRepacks(t *testing.T) {
	s, bot := starterTestStore(t)
	var ids []string
	for i := 0; i < 4; i++ {
		x, err := s.CreateFollowUp(bot, PairInput{LinkText: ptr("t"), LinkSrc: ptr("https://x")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, x.ID)
	}
	out, err := s.DeleteFollowUps(bot, []string{ids[1], "missing", ids[1]})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.DeletedIDs) != 1 || len(out.FailedIDs) != 1 || out.FailedIDs[0] != "missing" {
		t.Fatalf("got %+v", out)
	}
	list, _ := s.FollowUps(bot)
	for i, x := range list {
		if x.Rank != i {
			t.Fatalf("ranks not re-packed: %v", list)
		}
	}
	if _, err := s.DeleteFollowUps(bot, []string{"missing"}); starterErrCode(err) != apierr.ResourceNotFound {
		t.Fatalf("got %v; want RESOURCE_NOT_FOUND", err)
	}
	if _, err := s.FollowUps("nope"); starterErrCode(err) != apierr.ChatbotNotFound {
		t.Fatalf("got %v; want CHATBOT_NOT_FOUND", err)
	}
}

// N concurrent creates leave exactly N starters with the ranks 0..N-1; past the cap
// (N = the default cap, 20 more sent) exactly the extra ones are refused.
func TestStarterConcurrentCreates(t *testing.T) {
	s, bot := starterTestStore(t)
	n, extra := DefaultCaps().StartersPerChatbot, 20
	var wg sync.WaitGroup
	var refused atomic.Int32
	for i := 0; i < n+extra; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if _, err := s.CreateStarter(bot, PairInput{ButtonTitle: ptr(fmt.Sprint(i)), ButtonMessage: ptr("m")}); starterErrCode(err) == apierr.StoreLimitReached {
				refused.Add(1)
			} else if err != nil {
				t.Error(err)
			}
			if _, err := s.Starters(bot); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	if int(refused.Load()) != extra {
		t.Fatalf("%d creates refused past the cap; want %d", refused.Load(), extra)
	}
	list, _ := s.Starters(bot)
	if len(list) != n {
		t.Fatalf("got %d starters; want %d", len(list), n)
	}
	seen := map[string]bool{}
	for i, x := range list {
		if x.Rank != i || seen[x.ID] {
			t.Fatalf("starter %d: rank %d, id %s repeated %v", i, x.Rank, x.ID, seen[x.ID])
		}
		seen[x.ID] = true
	}
}

// The reference: ranks follow orderedIds, first = rank 0. A subset moves the listed ids to
// the front; the others keep their order after them.
func TestReorderAcceptsASubsetOfIDs(t *testing.T) {
	s, bot := starterTestStore(t)
	var ids []string
	for i := 0; i < 4; i++ {
		x, err := s.CreateStarter(bot, PairInput{ButtonTitle: ptr(fmt.Sprint(i)), ButtonMessage: ptr("m")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, x.ID)
	}
	if err := s.ReorderStarters(bot, []string{ids[3], ids[1]}); err != nil {
		t.Fatal(err)
	}
	list, _ := s.Starters(bot)
	want := []string{ids[3], ids[1], ids[0], ids[2]}
	for i, x := range list {
		if x.ID != want[i] || x.Rank != i {
			t.Fatalf("position %d: got %s rank %d; want %s rank %d", i, x.ID, x.Rank, want[i], i)
		}
	}
}
