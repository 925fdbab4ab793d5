package store

import "github.com/contextgpt/sandbox/mock/apierr"

// ThreadFilter selects threads of a list; nil fields do not filter.
type ThreadFilter struct {
	Mode       *string
	Resolved   *bool
	Archived   *bool
	Escalated  *bool
	Important  *bool
	Anonymous  *bool
	LLMModelID *string
}

func (f ThreadFilter) match(t *Thread) bool {
	switch {
	case f.Mode != nil && t.Mode != *f.Mode,
		f.Resolved != nil && t.Resolved != *f.Resolved,
		f.Archived != nil && t.Archived != *f.Archived,
		f.Escalated != nil && t.Escalated != *f.Escalated,
		f.Important != nil && t.Important != *f.Important,
		f.Anonymous != nil && t.Anonymous != *f.Anonymous,
		f.LLMModelID != nil && (t.LLMModel == nil || t.LLMModel.ID != *f.LLMModelID):
		return false
	}
	return true
}

// ThreadPage is one page of a chatbot's threads and the number of threads that match.
type ThreadPage struct {
	Threads []Thread
	Total   int
}

// ListThreads returns one page (page ≥ 1, limit ≥ 1) of a chatbot's threads, newest activity
// first, id as tie-break, as copies (see ListThreadsFunc for the costs).
func (s *Store) ListThreads(chatbotID string, f ThreadFilter, page, limit int) (ThreadPage, error) {
	out := ThreadPage{Threads: []Thread{}}
	total, err := s.ListThreadsFunc(chatbotID, f, page, limit, func(t *Thread) { out.Threads = append(out.Threads, cloneThread(t)) })
	out.Total = total
	return out, err
}

// ListThreadsFunc calls visit on each thread of one page (page ≥ 1, limit ≥ 1) of a
// chatbot's threads, newest activity first, id as tie-break, and returns how many match.
// visit runs under the store's read lock and must neither keep t nor anything it points to,
// nor call the store: it is there to write a thread out (the list answer is written
// straight from the records, no copy of each thread made). Without a filter, or with one,
// it reads the kept-sorted tree of that filter value: a page costs O(log n + limit) and the
// total O(1), whatever the number of threads. With several filters it walks the smallest of
// their trees, checking the others: O(that filter's matches). A page past the end is
// empty, with the right total.
func (s *Store) ListThreadsFunc(chatbotID string, f ThreadFilter, page, limit int, visit func(t *Thread)) (int, error) {
	if page < 1 || limit < 1 {
		return 0, apierr.New(apierr.InvalidFieldValue, "page and limit must be at least 1")
	}
	total := 0
	err := s.readChatbot(chatbotID, func(*Chatbot) error {
		b := s.idx.threadsByBot[chatbotID]
		if b == nil {
			return nil
		}
		trees, empty := b.filterTrees(f)
		if empty {
			return nil
		}
		var scratch thawedThread // each visited thread is decoded into it: visit keeps nothing
		show := func(row int32) { visit(s.threads.view(row, &scratch)) }
		if len(trees) <= 1 {
			tr := b.all
			if len(trees) == 1 {
				tr = trees[0]
			}
			total = tr.Len()
			if start, end, ok := pageBounds(total, page, limit); ok {
				tr.Page(start, end-start, show)
			}
			return nil
		}
		smallest := trees[0]
		for _, tr := range trees[1:] {
			if tr.Len() < smallest.Len() {
				smallest = tr
			}
		}
		skip, taken := 0, 0
		if page-1 <= smallest.Len()/limit {
			skip = (page - 1) * limit
		} else {
			skip = smallest.Len() + 1 // past any possible match
		}
		smallest.Ascend(0, func(row int32) bool {
			if s.threads.matches(row, f) {
				if total >= skip && taken < limit {
					show(row)
					taken++
				}
				total++
			}
			return true
		})
		return nil
	})
	return total, err
}

// filterTrees is the tree of each filter set; empty is true when one of them has no thread
// at all (nothing can match).
func (b *botThreads) filterTrees(f ThreadFilter) (trees []*ostree[int32], empty bool) {
	add := func(tr *ostree[int32]) {
		if tr == nil || tr.Len() == 0 {
			empty = true
			return
		}
		trees = append(trees, tr)
	}
	if f.Mode != nil {
		add(b.mode[*f.Mode])
	}
	if f.LLMModelID != nil {
		add(b.model[*f.LLMModelID])
	}
	for i, v := range [threadFlags]*bool{f.Resolved, f.Archived, f.Escalated, f.Important, f.Anonymous} {
		if v != nil {
			k := 0
			if *v {
				k = 1
			}
			add(b.flag[i][k])
		}
	}
	return trees, empty
}

// pageBounds is the [start, end) window of a page over n items; ok is false past the end.
// It never overflows, whatever page and limit are.
func pageBounds(n, page, limit int) (start, end int, ok bool) {
	if page-1 > n/limit {
		return 0, 0, false
	}
	start = (page - 1) * limit
	if start >= n {
		return 0, 0, false
	}
	end = start + limit
	if end > n {
		end = n
	}
	return start, end, true
}
