package mock

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock/store"
)

// TestAppendJSONMatchesEncodingJSON checks the hand-written encoders byte for byte against
// encoding/json on random threads: hostile strings (quotes, controls, HTML characters,
// U+2028, invalid UTF-8), nil and empty fields, models, times outside 0..9999.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	pieces := []string{"", "a", "é", "日本", "\"", "\\", "\n", "\t", "\b", "\f", "\r", "\x00", "\x1f", "<", ">", "&",
		"\u2028", "\u2029", "\xff", "\xe2\x80", "😀", "\x7f", " ", "/"}
	str := func() string {
		var b []byte
		for n := rng.Intn(6); n > 0; n-- {
			b = append(b, pieces[rng.Intn(len(pieces))]...)
		}
		return string(b)
	}
	opt := func() *string {
		if rng.Intn(3) == 0 {
			return nil
		}
		s := str()
		return &s
	}
	when := func() time.Time {
		switch rng.Intn(6) {
		case 0:
			return time.Date(-3, 1, 1, 0, 0, 0, 0, time.UTC)
		case 1:
			return time.Date(12345, 5, 6, 7, 8, 9, 123456789, time.UTC)
		}
		return time.Unix(rng.Int63n(1<<33), rng.Int63n(1e9)).In(time.FixedZone("x", 3600))
	}
	optTime := func() *time.Time {
		if rng.Intn(3) == 0 {
			return nil
		}
		v := when()
		return &v
	}
	var threads []store.Thread
	for i := 0; i < 2000; i++ {
		th := store.Thread{ID: str(), ChatbotID: str(), VisitorID: opt(), Title: opt(), Mode: str(), Anonymous: rng.Intn(2) == 0,
			UnreadMessagesCount: rng.Intn(1 << 20), Escalated: rng.Intn(2) == 0, Important: rng.Intn(2) == 0,
			Resolved: rng.Intn(2) == 0, Archived: rng.Intn(2) == 0, PositiveCount: rng.Intn(9) - 3, NegativeCount: rng.Intn(9),
			PlatformSource: opt(), StartedAt: optTime(), UpdatedAt: when(), EndedAt: optTime(), VisitorName: opt(),
			VisitorEmail: opt(), VisitorPhone: opt(), BotIconSrc: opt(), UserIconSrc: opt(), AgentIconSrc: opt(), BubbleIconSrc: opt()}
		switch rng.Intn(3) {
		case 0:
			th.Tags = nil
		case 1:
			th.Tags = []string{}
		default:
			th.Tags = []string{str(), str()}
		}
		if rng.Intn(2) == 0 {
			th.LLMModel = &store.LLMModel{ID: str(), Provider: str(), Title: str()}
		}
		threads = append(threads, th)
		want, err := json.Marshal(viewThread(th))
		if err != nil {
			t.Fatal(err)
		}
		if got := appendThreadJSON(nil, &th); !bytes.Equal(got, want) {
			t.Fatalf("thread %d:\n got %s\nwant %s", i, got, want)
		}
		s := str()
		want, _ = json.Marshal(s)
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("string %q: got %s, want %s", s, got, want)
		}
	}
	for _, n := range []int{0, 1, 20} {
		page := threads[:n]
		views := make([]threadView, len(page))
		for i, th := range page {
			views[i] = viewThread(th)
		}
		pg := newPageInfo(2, 20, 1234)
		msg := str()
		want, _ := json.Marshal(successEnvelope{StatusCode: 200, Success: true, Message: msg,
			Data: threadListData{Threads: views, Pagination: pg}})
		got := appendSuccess(nil, 200, msg, threadPageJSON{threads: page, pagination: pg})
		if !bytes.Equal(got, want) {
			t.Fatalf("page of %d:\n got %s\nwant %s", n, got, want)
		}
		// The list handler's form: threads written one by one into a pooled buffer.
		bp := getBytes()
		*bp = beginThreadPage(*bp)
		for i := range page {
			if i > 0 {
				*bp = append(*bp, ',')
			}
			*bp = appendThreadJSON(*bp, &page[i])
		}
		*bp = endThreadPage(*bp, pg)
		body := encodedData{bp}
		if got := appendSuccess(nil, 200, msg, body); !bytes.Equal(got, want) {
			t.Fatalf("page of %d, written thread by thread:\n got %s\nwant %s", n, got, want)
		}
		body.release()
	}
	want, _ := json.Marshal(successEnvelope{StatusCode: 201, Success: true, Message: "Thread created successfully",
		Data: threadData{Thread: viewThread(threads[0])}})
	if got := appendSuccess(nil, 201, "Thread created successfully", threadJSON{thread: threads[0]}); !bytes.Equal(got, want) {
		t.Fatalf("created thread:\n got %s\nwant %s", got, want)
	}
}
