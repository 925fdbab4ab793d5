// Package reply simulates the chatbot's AI answer without a model: the sentences of the
// chatbot's text snippet are ranked against the visitor's message with BM25 over a real
// tokenizer, the best ones above a relevance threshold become the answer (shaped by the
// active persona and instruction), and nothing relevant gives the fallback message. The
// same input always gives the byte-identical reply.
package reply

import (
	"crypto/sha256"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// DefaultFallback is the general settings' default fallbackMessage.
const DefaultFallback = "I'm sorry, I don't have enough information to answer that."

// BM25 parameters and the relevance floor under which a passage does not count.
const (
	k1 = 1.2
	b  = 0.75
	// MinScore is the BM25 score a passage needs to be used at all.
	MinScore = 0.9
	// relativeFloor keeps, besides the best passage, only those scoring this share of it.
	relativeFloor = 0.6
	// defaultMaxSentences is the answer length without an instruction that says otherwise.
	defaultMaxSentences = 3
	// cacheSize bounds the index cache (entries; it is emptied when full).
	cacheSize = 1024
)

// Input is what a reply depends on; nothing else is read.
type Input struct {
	// Knowledge is the chatbot's text snippet.
	Knowledge string
	// SourceTitle and SourceURL label the passages in Sources; a sentence's number is
	// appended to the URL as a fragment (#sentence-N, from 1).
	SourceTitle string
	SourceURL   string
	// Message is the visitor's message.
	Message string
	// PersonaTitle and PersonaInstructions describe the active persona (empty when none).
	PersonaTitle        string
	PersonaInstructions string
	// Instruction is the active instruction's text (empty when none).
	Instruction string
	// Fallback is the general settings' fallbackMessage; empty means DefaultFallback.
	Fallback string
}

// Source is a passage the reply is grounded in.
type Source struct {
	Title   string  `json:"title"`
	URL     string  `json:"url"`
	Snippet string  `json:"snippet"`
	Score   float64 `json:"score"`
}

// Reply is the simulated answer.
type Reply struct {
	Content string
	Sources []Source
	// Grounded is false for the fallback.
	Grounded bool
}

// Engine builds replies; it caches one index per distinct snippet (by content hash), so a
// snippet is tokenized once, not on every message. Safe for concurrent use.
type Engine struct {
	mu    sync.Mutex
	cache map[[32]byte]*Index
}

// NewEngine returns an engine with an empty cache.
func NewEngine() *Engine { return &Engine{cache: map[[32]byte]*Index{}} }

// IndexFor returns the (cached) index of a snippet.
func (e *Engine) IndexFor(knowledge string) *Index {
	key := sha256.Sum256([]byte(knowledge))
	e.mu.Lock()
	defer e.mu.Unlock()
	if ix, ok := e.cache[key]; ok {
		return ix
	}
	if len(e.cache) >= cacheSize {
		e.cache = map[[32]byte]*Index{}
	}
	ix := NewIndex(knowledge)
	e.cache[key] = ix
	return ix
}

// CachedIndexes reports how many snippet indexes are cached (tests use it).
func (e *Engine) CachedIndexes() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.cache)
}

// Index is the BM25 index of one snippet's sentences. It is immutable once built.
type Index struct {
	sentences []string
	terms     []map[string]int // term frequencies per sentence
	lengths   []int
	avgLen    float64
	df        map[string]int
}

// NewIndex splits a snippet into sentences and indexes them.
func NewIndex(knowledge string) *Index {
	ix := &Index{df: map[string]int{}}
	total := 0
	for _, s := range Sentences(knowledge) {
		toks := Tokens(s)
		if len(toks) == 0 {
			continue
		}
		tf := map[string]int{}
		for _, t := range toks {
			tf[t]++
		}
		for t := range tf {
			ix.df[t]++
		}
		ix.sentences = append(ix.sentences, s)
		ix.terms = append(ix.terms, tf)
		ix.lengths = append(ix.lengths, len(toks))
		total += len(toks)
	}
	if n := len(ix.sentences); n > 0 {
		ix.avgLen = float64(total) / float64(n)
	}
	return ix
}

// Len is the number of indexed sentences.
func (ix *Index) Len() int { return len(ix.sentences) }

// Hit is a ranked sentence.
type Hit struct {
	Sentence string
	Position int // 0-based place in the snippet
	Score    float64
}

// Rank scores every sentence against the query with BM25 and returns those scoring above
// zero, best first (position as tie-break).
func (ix *Index) Rank(query string) []Hit {
	seen := map[string]bool{}
	var q []string
	for _, t := range Tokens(query) {
		if !seen[t] {
			seen[t] = true
			q = append(q, t)
		}
	}
	n := float64(len(ix.sentences))
	var hits []Hit
	for i, tf := range ix.terms {
		score := 0.0
		for _, t := range q {
			f := float64(tf[t])
			if f == 0 {
				continue
			}
			df := float64(ix.df[t])
			idf := math.Log(1 + (n-df+0.5)/(df+0.5))
			norm := k1 * (1 - b + b*float64(ix.lengths[i])/ix.avgLen)
			score += idf * f * (k1 + 1) / (f + norm)
		}
		if score > 0 {
			hits = append(hits, Hit{Sentence: ix.sentences[i], Position: i, Score: score})
		}
	}
	sort.SliceStable(hits, func(a, b int) bool {
		if hits[a].Score != hits[b].Score {
			return hits[a].Score > hits[b].Score
		}
		return hits[a].Position < hits[b].Position
	})
	return hits
}

// Reply answers a message from the (cached) index of in.Knowledge.
func (e *Engine) Reply(in Input) Reply {
	return Answer(e.IndexFor(in.Knowledge), in)
}

// Answer builds the reply from an index: the best passages above MinScore (at most as many
// as the instruction allows, each within relativeFloor of the best), in the snippet's order,
// shaped by the persona and instruction; the fallback when none qualifies.
func Answer(ix *Index, in Input) Reply {
	st := styleOf(in.Instruction + "\n" + in.PersonaInstructions)
	limit := st.maxSentences
	if st.opener != "" {
		// The opener is a sentence too: it takes a place, or goes when there is none to spare.
		if limit > 1 {
			limit--
		} else {
			st.opener = ""
		}
	}
	hits := ix.Rank(in.Message)
	var chosen []Hit
	for _, h := range hits {
		if h.Score < MinScore || (len(chosen) > 0 && h.Score < relativeFloor*chosen[0].Score) {
			break
		}
		chosen = append(chosen, h)
		if len(chosen) == limit {
			break
		}
	}
	if len(chosen) == 0 {
		fb := strings.TrimSpace(in.Fallback)
		if fb == "" {
			fb = DefaultFallback
		}
		return Reply{Content: fb, Sources: []Source{}}
	}
	sources := make([]Source, 0, len(chosen))
	for _, h := range chosen {
		url := ""
		if in.SourceURL != "" {
			url = in.SourceURL + "#sentence-" + strconv.Itoa(h.Position+1)
		}
		sources = append(sources, Source{Title: in.SourceTitle, URL: url, Snippet: h.Sentence, Score: math.Round(h.Score*100) / 100})
	}
	sort.SliceStable(chosen, func(a, b int) bool { return chosen[a].Position < chosen[b].Position })
	parts := make([]string, 0, len(chosen))
	for _, h := range chosen {
		parts = append(parts, terminate(h.Sentence))
	}
	var body string
	if st.bullets && len(parts) > 1 {
		body = "- " + strings.Join(parts, "\n- ")
	} else {
		body = strings.Join(parts, " ")
	}
	if st.opener != "" {
		body = st.opener + " " + body
	}
	if st.signature && in.PersonaTitle != "" {
		body += "\n\n— " + in.PersonaTitle
	}
	return Reply{Content: body, Sources: sources, Grounded: true}
}

func terminate(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	switch s[len(s)-1] {
	case '.', '!', '?':
		return s
	}
	return s + "."
}

// style is how the instruction and persona shape an answer.
type style struct {
	maxSentences int
	opener       string // "Sure!" for a friendly tone
	bullets      bool   // a list of passages
	signature    bool   // sign with the persona's title
}

var (
	sentenceCap = regexp.MustCompile(`\b(one|a single|1|two|2|three|3|four|4|five|5)\s+sentences?\b`)
	capWords    = map[string]int{"one": 1, "a single": 1, "1": 1, "two": 2, "2": 2, "three": 3, "3": 3, "four": 4, "4": 4, "five": 5, "5": 5}
	briefWords  = regexp.MustCompile(`\b(brief|briefly|short|concise|concisely|succinct|terse)\b`)
	warmWords   = regexp.MustCompile(`\b(friendly|warm|cheerful|enthusiastic|upbeat)\b`)
	listWords   = regexp.MustCompile(`\b(bullet|bullets|bulleted|bullet points|list)\b`)
	signWords   = regexp.MustCompile(`\b(sign|signature|introduce yourself)\b`)
)

// styleOf reads the instruction and persona text: a sentence count ("two sentences at
// most"), brevity words (one sentence), a warm tone (an opener), lists (bullets) and
// signing (the persona title as signature).
func styleOf(text string) style {
	t := strings.ToLower(text)
	st := style{maxSentences: defaultMaxSentences}
	if m := sentenceCap.FindStringSubmatch(t); m != nil {
		st.maxSentences = capWords[m[1]]
	} else if briefWords.MatchString(t) {
		st.maxSentences = 1
	}
	if warmWords.MatchString(t) {
		st.opener = "Sure!"
	}
	st.bullets = listWords.MatchString(t)
	st.signature = signWords.MatchString(t)
	return st
}
