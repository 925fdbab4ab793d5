package reply

import (
	"reflect"
	"strings"
	"testing"
)

const shipping = `Scale Logistics ships to 42 countries from warehouses in Rotterdam and Memphis.
Standard delivery takes 3 to 5 business days; express delivery arrives the next business day.
Orders placed before 2 pm local time ship the same day.
Returns are free within 30 days of delivery when the item is unused and in its original packaging.
Refunds are issued to the original payment method within 5 business days after the return is received.
Tracking numbers are sent by e-mail as soon as the parcel leaves the warehouse.
Customs duties for shipments outside the European Union are paid by the recipient.
Our support team is available Monday to Friday from 8 am to 6 pm Central European Time.`

func TestTokensLowercasesDropsStopWordsAndStems(t *testing.T) {
	got := Tokens("Who PAYS the customs duties, for Shipped deliveries?")
	want := []string{"pay", "custom", "duty", "ship", "delivery"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q; want %q", got, want)
	}
}

func TestStemMeetsInflections(t *testing.T) {
	for _, group := range [][]string{{"ship", "ships", "shipped", "shipping"}, {"delivery", "deliveries"}, {"place", "placed", "places"}, {"return", "returns", "returned"}} {
		for _, w := range group[1:] {
			if Stem(w) != Stem(group[0]) {
				t.Errorf("Stem(%q)=%q; Stem(%q)=%q; want equal", w, Stem(w), group[0], Stem(group[0]))
			}
		}
	}
}

func TestSentences(t *testing.T) {
	got := Sentences("One here. Two there! 3 more? no split. e.g. this\nNew line")
	want := []string{"One here.", "Two there!", "3 more? no split. e.g. this", "New line"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q; want %q", got, want)
	}
}

func TestGroundedAnswerIsTheAnsweringSentence(t *testing.T) {
	e := NewEngine()
	r := e.Reply(Input{Knowledge: shipping, Message: "Who pays the customs duties?", SourceTitle: "Text snippet", SourceURL: "https://x.example/kb"})
	want := "Customs duties for shipments outside the European Union are paid by the recipient."
	if r.Content != want || !r.Grounded {
		t.Fatalf("got %q (grounded %v); want %q", r.Content, r.Grounded, want)
	}
	if len(r.Sources) != 1 || r.Sources[0].Snippet != want || r.Sources[0].URL != "https://x.example/kb#sentence-7" || r.Sources[0].Title != "Text snippet" {
		t.Fatalf("sources %+v", r.Sources)
	}
}

func TestUnrelatedQuestionGetsFallback(t *testing.T) {
	e := NewEngine()
	for _, tc := range []struct{ fallback, want string }{{"", DefaultFallback}, {"Ask me about shipping.", "Ask me about shipping."}} {
		r := e.Reply(Input{Knowledge: shipping, Message: "What is the capital of France?", Fallback: tc.fallback})
		if r.Content != tc.want || r.Grounded || len(r.Sources) != 0 {
			t.Fatalf("got %+v; want fallback %q", r, tc.want)
		}
	}
	if r := e.Reply(Input{Knowledge: "", Message: "Who pays the customs duties?"}); r.Content != DefaultFallback {
		t.Fatalf("empty snippet: got %q", r.Content)
	}
}

func TestReplyIsDeterministic(t *testing.T) {
	in := Input{Knowledge: shipping, Message: "How long does delivery take, and can I return it?", PersonaTitle: "Logistics expert",
		PersonaInstructions: "You are a calm logistics expert.", Instruction: "Answer in two sentences at most and stay friendly."}
	first := NewEngine().Reply(in)
	for i := 0; i < 50; i++ {
		e := NewEngine()
		if got := e.Reply(in); !reflect.DeepEqual(got, first) {
			t.Fatalf("run %d: got %+v; want %+v", i, got, first)
		}
	}
}

func TestInstructionShapesAnswer(t *testing.T) {
	ix := NewIndex(shipping)
	q := "How long does delivery take and when are refunds issued after a return?"
	long := Answer(ix, Input{Message: q})
	brief := Answer(ix, Input{Message: q, Instruction: "Be brief."})
	if len(long.Sources) < 2 {
		t.Fatalf("default answer used %d passages; want ≥ 2: %q", len(long.Sources), long.Content)
	}
	if len(brief.Sources) != 1 || len(Sentences(brief.Content)) != 1 {
		t.Fatalf("brief answer %q; want one sentence", brief.Content)
	}
	friendly := Answer(ix, Input{Message: q, Instruction: "Answer in two sentences at most and stay friendly."})
	if !strings.HasPrefix(friendly.Content, "Sure! ") || len(friendly.Sources) != 1 {
		t.Fatalf("friendly answer %q; want an opener and one passage", friendly.Content)
	}
	signed := Answer(ix, Input{Message: q, PersonaTitle: "Logistics expert", PersonaInstructions: "Sign every answer."})
	if !strings.HasSuffix(signed.Content, "— Logistics expert") {
		t.Fatalf("signed answer %q", signed.Content)
	}
	list := Answer(ix, Input{Message: q, Instruction: "Answer as a bullet list."})
	if !strings.HasPrefix(list.Content, "- ") || !strings.Contains(list.Content, "\n- ") {
		t.Fatalf("list answer %q", list.Content)
	}
}

func TestPassagesInSnippetOrderBestSourceFirst(t *testing.T) {
	ix := NewIndex(shipping)
	r := Answer(ix, Input{Message: "How long does delivery take and when are refunds issued after a return?"})
	if len(r.Sources) < 2 || r.Sources[0].Score < r.Sources[1].Score {
		t.Fatalf("sources not best first: %+v", r.Sources)
	}
	first := strings.Index(r.Content, "Standard delivery")
	second := strings.Index(r.Content, "Refunds")
	if first < 0 || second < 0 || first > second {
		t.Fatalf("content not in snippet order: %q", r.Content)
	}
}

func TestIndexCachedPerSnippet(t *testing.T) {
	e := NewEngine()
	a := e.IndexFor(shipping)
	if b := e.IndexFor(shipping); a != b {
		t.Fatal("same snippet indexed twice")
	}
	if c := e.IndexFor(shipping + " More."); c == a {
		t.Fatal("different snippet shares an index")
	}
	if n := e.CachedIndexes(); n != 2 {
		t.Fatalf("cached %d; want 2", n)
	}
}
