package reply

import (
	"strings"
	"unicode"
)

// stopWords are English function words that carry no topic; they never match.
var stopWords = func() map[string]struct{} {
	words := strings.Fields(`a about above after again against all am an and any are aren't as at be because been
		before being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't
		down during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here
		here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's
		me more most mustn't my myself no nor not of off on once only or other ought our ours ourselves out over own
		same shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs them
		themselves then there there's these they they'd they'll they're they've this those through to too under until
		up very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's which while who
		who's whom why why's will with won't would wouldn't you you'd you'll you're you've your yours yourself
		yourselves please hi hello hey thanks thank just also tell know want like get got much many`)
	m := make(map[string]struct{}, len(words))
	for _, w := range words {
		m[w] = struct{}{}
	}
	return m
}()

// Tokens splits text into lowercase terms: letters and digits (an apostrophe inside a word
// is kept, so "don't" is one word), stop words dropped, each word lightly stemmed.
func Tokens(text string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		w := strings.Trim(b.String(), "'")
		b.Reset()
		if w == "" {
			return
		}
		if _, stop := stopWords[w]; stop {
			return
		}
		w = strings.ReplaceAll(w, "'", "")
		if s := Stem(w); s != "" {
			out = append(out, s)
		}
	}
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		case (r == '\'' || r == '’') && b.Len() > 0:
			b.WriteRune('\'')
		default:
			flush()
		}
	}
	flush()
	return out
}

// Stem strips common English inflections so that "deliveries", "delivered" and
// "delivery" meet, and "ships", "shipped" and "shipping" meet "ship". It is deliberately
// light: a few suffix rules, not a full Porter stemmer.
func Stem(w string) string {
	if len(w) <= 3 || !isAlpha(w) {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		w = w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:len(w)-1]
	}
	switch {
	case strings.HasSuffix(w, "ing") && len(w) > 5:
		w = undouble(w[:len(w)-3])
	case strings.HasSuffix(w, "ed") && len(w) > 4:
		w = undouble(w[:len(w)-2])
	case strings.HasSuffix(w, "ly") && len(w) > 5:
		w = w[:len(w)-2]
	}
	if strings.HasSuffix(w, "e") && len(w) > 3 {
		w = w[:len(w)-1]
	}
	return w
}

// undouble turns a doubled final consonant back into one ("shipp" → "ship"), except
// the doubles English keeps ("ll", "ss", "zz").
func undouble(w string) string {
	n := len(w)
	if n < 3 || w[n-1] != w[n-2] {
		return w
	}
	switch w[n-1] {
	case 'l', 's', 'z', 'a', 'e', 'i', 'o', 'u':
		return w
	}
	return w[:n-1]
}

func isAlpha(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// Sentences splits a text into sentences: at line breaks, and after '.', '!' or '?'
// followed by a space and a capital letter or a digit. Empty pieces are dropped.
func Sentences(text string) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		rs := []rune(line)
		start := 0
		for i := 0; i < len(rs); i++ {
			if rs[i] != '.' && rs[i] != '!' && rs[i] != '?' {
				continue
			}
			if i+2 < len(rs) && unicode.IsSpace(rs[i+1]) && (unicode.IsUpper(rs[i+2]) || unicode.IsDigit(rs[i+2])) {
				if s := strings.TrimSpace(string(rs[start : i+1])); s != "" {
					out = append(out, s)
				}
				start = i + 1
			}
		}
		if s := strings.TrimSpace(string(rs[start:])); s != "" {
			out = append(out, s)
		}
	}
	return out
}
