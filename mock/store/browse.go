package store

import (
	"slices"
	"sort"
	"strings"
)

// Read-only views for the mock's dashboard (/__mock/ui). Unlike the API's reads, none of
// them changes anything (reading a thread's messages here does not mark it read).

// AccountSummary is an account with how many chatbots and active API keys it has.
type AccountSummary struct {
	Account
	Chatbots int `json:"chatbots"`
	Keys     int `json:"keys"`
}

// Accounts returns the accounts whose id or name contains q (every account when q is
// empty), oldest first, id as tie-break: at most limit of them from offset, and how many
// matched.
func (s *Store) Accounts(q string, offset, limit int) ([]AccountSummary, int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	q = strings.ToLower(q)
	list := make([]*Account, 0, len(s.accounts))
	for _, a := range s.accounts {
		if q == "" || strings.Contains(strings.ToLower(a.ID), q) || strings.Contains(strings.ToLower(a.Name), q) {
			list = append(list, a)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].CreatedAt.Equal(list[j].CreatedAt) {
			return list[i].CreatedAt.Before(list[j].CreatedAt)
		}
		return list[i].ID < list[j].ID
	})
	page := window(len(list), offset, limit)
	out := make([]AccountSummary, 0, page[1]-page[0])
	for _, a := range list[page[0]:page[1]] {
		out = append(out, AccountSummary{Account: *a})
	}
	if len(out) > 0 {
		at := make(map[string]int, len(out))
		for i := range out {
			at[out[i].ID] = i
		}
		for _, c := range s.chatbots {
			if i, ok := at[c.AccountID]; ok {
				out[i].Chatbots++
			}
		}
		for _, k := range s.keys {
			if i, ok := at[k.AccountID]; ok && k.IsActive {
				out[i].Keys++
			}
		}
	}
	return out, len(list)
}

// PeekMessages returns messages offset..offset+limit of a thread in chronological order
// and how many it has, without marking the thread read.
func (s *Store) PeekMessages(chatbotID, threadID string, offset, limit int) ([]Message, int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, err := s.threadLocked(chatbotID, threadID)
	if err != nil {
		return nil, 0, err
	}
	list := s.idx.messagesByThrd[t.row]
	n := 0
	if list != nil {
		n = list.Len()
	}
	page := window(n, offset, limit)
	out := make([]Message, 0, page[1]-page[0])
	var scratch thawedMessage
	for i := page[0]; i < page[1]; i++ {
		out = append(out, cloneMessage(s.messages.view(list.At(i), &scratch)))
	}
	return out, n, nil
}

// RecentDeliveries returns webhook deliveries of every chatbot, newest first, at most limit
// of them from offset, and how many there are (of chatbotID alone when it is not empty).
func (s *Store) RecentDeliveries(chatbotID string, offset, limit int) ([]Delivery, int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if chatbotID != "" {
		b := s.idx.deliveriesByBot[chatbotID] // kept newest first
		if b == nil {
			return []Delivery{}, 0
		}
		page := window(b.all.Len(), offset, limit)
		out := make([]Delivery, 0, page[1]-page[0])
		b.all.Page(page[0], page[1]-page[0], func(d *Delivery) { out = append(out, cloneDelivery(d)) })
		return out, b.all.Len()
	}
	list := make([]*Delivery, 0, len(s.deliveries))
	for _, d := range s.deliveries {
		list = append(list, d)
	}
	slices.SortFunc(list, deliveryCmp)
	page := window(len(list), offset, limit)
	out := make([]Delivery, 0, page[1]-page[0])
	for _, d := range list[page[0]:page[1]] {
		out = append(out, cloneDelivery(d))
	}
	return out, len(list)
}

// window clamps [offset, offset+limit) to [0, n); limit ≤ 0 means up to the end.
func window(n, offset, limit int) [2]int {
	start := min(max(offset, 0), n)
	end := n
	if limit > 0 && start+limit < n {
		end = start + limit
	}
	return [2]int{start, end}
}
