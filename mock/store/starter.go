package store

import (
	"sort"
	"strings"
	"time"

	"github.com/contextgpt/sandbox/mock/apierr"
)

// PairInput is the button pair or link pair of a conversation starter or follow-up prompt.
// A nil or blank field counts as not given.
type PairInput struct {
	ButtonTitle   *string
	ButtonMessage *string
	LinkText      *string
	LinkSrc       *string
}

// pairGiven reports whether a pair field carries a value.
func pairGiven(p *string) bool { return p != nil && strings.TrimSpace(*p) != "" }

// validate applies the button-XOR-link rule: both pairs → 400 INVALID_FIELD_VALUE; neither
// pair or half a pair → 400 MISSING_REQUIRED_FIELD naming the missing field(s). It
// returns true for a button pair, false for a link pair.
func (p PairInput) validate() (button bool, err error) {
	bt, bm := pairGiven(p.ButtonTitle), pairGiven(p.ButtonMessage)
	lt, ls := pairGiven(p.LinkText), pairGiven(p.LinkSrc)
	hasButton, hasLink := bt || bm, lt || ls
	switch {
	case hasButton && hasLink:
		// The reference documents 400 MISSING_REQUIRED_FIELD for this starter/follow-up error.
		return false, apierr.New(apierr.MissingRequiredField, "Cannot provide both button fields and link fields.")
	case !hasButton && !hasLink:
		msg := "Must provide either buttonTitle and buttonMessage, or linkText and linkSrc."
		return false, &apierr.Error{Code: apierr.MissingRequiredField, Message: msg, Fields: []apierr.FieldError{
			{Path: []any{"buttonTitle"}, Message: msg}, {Path: []any{"buttonMessage"}, Message: msg},
			{Path: []any{"linkText"}, Message: msg}, {Path: []any{"linkSrc"}, Message: msg},
		}}
	case hasButton && !bt:
		return false, pairHalf("buttonTitle", "buttonMessage")
	case hasButton && !bm:
		return false, pairHalf("buttonMessage", "buttonTitle")
	case hasLink && !lt:
		return false, pairHalf("linkText", "linkSrc")
	case hasLink && !ls:
		return false, pairHalf("linkSrc", "linkText")
	}
	return hasButton, nil
}

func pairHalf(missing, given string) *apierr.Error {
	msg := missing + " is required with " + given
	return &apierr.Error{Code: apierr.MissingRequiredField, Message: msg,
		Fields: []apierr.FieldError{{Path: []any{missing}, Message: msg}}}
}

// pairFields are the four stored fields of either type.
type pairFields struct {
	buttonTitle, buttonMessage, linkText, linkSrc **string
}

// set stores the validated pair and clears the other one (switching the type).
func (f pairFields) set(p PairInput, button bool) {
	if button {
		*f.buttonTitle, *f.buttonMessage = ptr(*p.ButtonTitle), ptr(*p.ButtonMessage)
		*f.linkText, *f.linkSrc = nil, nil
		return
	}
	*f.linkText, *f.linkSrc = ptr(*p.LinkText), ptr(*p.LinkSrc)
	*f.buttonTitle, *f.buttonMessage = nil, nil
}

// rankedItem is a starter or a follow-up prompt as the shared list rules see it.
type rankedItem interface {
	itemID() string
	itemRank() int
	setRank(rank int, now time.Time)
}

func (x *Starter) itemID() string  { return x.ID }
func (x *Starter) itemRank() int   { return x.Rank }
func (x *FollowUp) itemID() string { return x.ID }
func (x *FollowUp) itemRank() int  { return x.Rank }
func (x *Starter) fields() pairFields {
	return pairFields{&x.ButtonTitle, &x.ButtonMessage, &x.LinkText, &x.LinkSrc}
}
func (x *FollowUp) fields() pairFields {
	return pairFields{&x.ButtonTitle, &x.ButtonMessage, &x.LinkText, &x.LinkSrc}
}

func (x *Starter) setRank(rank int, now time.Time) {
	if x.Rank != rank {
		x.Rank, x.UpdatedAt = rank, now
	}
}

func (x *FollowUp) setRank(rank int, now time.Time) {
	if x.Rank != rank {
		x.Rank, x.UpdatedAt = rank, now
	}
}

// rankedSort orders a list by rank, lowest first (id as tie-break), in place.
func rankedSort[T rankedItem](list []T) {
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].itemRank() != list[j].itemRank() {
			return list[i].itemRank() < list[j].itemRank()
		}
		return list[i].itemID() < list[j].itemID()
	})
}

// rankedNext is one past the highest rank (0 for an empty list): the last item's, as the
// store keeps the list in rank order.
func rankedNext[T rankedItem](list []T) int {
	if len(list) == 0 {
		return 0
	}
	return max(list[len(list)-1].itemRank()+1, 0)
}

// DeleteOutcome is what a multi-delete did: the ids deleted and those that were not
// (unknown, or not deletable), each in request order without repeats.
type DeleteOutcome struct {
	DeletedIDs []string
	FailedIDs  []string
}

// pairUniqueIDs drops repeated ids, keeping the first of each.
func pairUniqueIDs(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// deleteRanked removes the named items (find looks one up by id) and re-packs the ranks of
// the rest: O(list), as the API renumbers every remaining item. Unknown ids go to
// FailedIDs; none deleted is 404 RESOURCE_NOT_FOUND.
func deleteRanked[T rankedItem](list []T, ids []string, find func(string) (T, bool), what string, now time.Time) ([]T, DeleteOutcome, error) {
	out := DeleteOutcome{DeletedIDs: []string{}, FailedIDs: []string{}}
	drop := map[string]bool{}
	for _, id := range pairUniqueIDs(ids) {
		if _, ok := find(id); ok {
			drop[id] = true
			out.DeletedIDs = append(out.DeletedIDs, id)
		} else {
			out.FailedIDs = append(out.FailedIDs, id)
		}
	}
	if len(out.DeletedIDs) == 0 {
		return list, out, apierr.New(apierr.ResourceNotFound, "No %s found with the given ids", what).
			WithDetails(map[string]any{"failedIds": out.FailedIDs})
	}
	// The list is in rank order: dropping items keeps it so, and the survivors take ranks
	// 0..n-1 where they stand (no sort).
	kept := list[:0]
	for _, x := range list {
		if !drop[x.itemID()] {
			x.setRank(len(kept), now)
			kept = append(kept, x)
		}
	}
	clear(list[len(kept):])
	return kept, out, nil
}

// reorderRanked sets ranks from orderedIds, any subset of the list's ids without repeats
// (400 INVALID_FIELD_VALUE otherwise; empty is MISSING_REQUIRED_FIELD): the first gets rank
// 0, and ids left out follow in their order.
func reorderRanked[T rankedItem](list []T, orderedIDs []string, find func(string) (T, bool), now time.Time) error {
	bad := func(msg string) error {
		return &apierr.Error{Code: apierr.InvalidFieldValue, Message: msg,
			Fields: []apierr.FieldError{{Path: []any{"orderedIds"}, Message: msg}}}
	}
	if len(orderedIDs) == 0 {
		return &apierr.Error{Code: apierr.MissingRequiredField, Message: "orderedIds must list at least one id",
			Fields: []apierr.FieldError{{Path: []any{"orderedIds"}, Message: "Required"}}}
	}
	pos := make(map[string]int, len(orderedIDs))
	for i, id := range orderedIDs {
		if _, dup := pos[id]; dup {
			return bad("orderedIds repeats the id " + id)
		}
		if _, ok := find(id); !ok {
			return bad("orderedIds names an unknown id " + id)
		}
		pos[id] = i
	}
	// The reference: ranks follow the order of orderedIds, first = rank 0. Ids left out keep
	// their order after the listed ones (a subset moves those to the front). O(n), no sort.
	rest := make([]T, 0, len(list)-len(orderedIDs))
	for _, x := range list { // list is kept in rank order
		if _, listed := pos[x.itemID()]; !listed {
			rest = append(rest, x)
		}
	}
	for i, id := range orderedIDs {
		x, _ := find(id)
		x.setRank(i, now)
		list[i] = x
	}
	for k, x := range rest {
		x.setRank(len(orderedIDs)+k, now)
		list[len(orderedIDs)+k] = x
	}
	return nil
}

func cloneStarter(x *Starter) Starter {
	out := *x
	out.ButtonTitle, out.ButtonMessage = clonePtr(x.ButtonTitle), clonePtr(x.ButtonMessage)
	out.LinkText, out.LinkSrc = clonePtr(x.LinkText), clonePtr(x.LinkSrc)
	return out
}

func cloneFollowUp(x *FollowUp) FollowUp {
	out := *x
	out.ButtonTitle, out.ButtonMessage = clonePtr(x.ButtonTitle), clonePtr(x.ButtonMessage)
	out.LinkText, out.LinkSrc = clonePtr(x.LinkText), clonePtr(x.LinkSrc)
	return out
}

// Starters lists the chatbot's conversation starters by rank, lowest first.
func (s *Store) Starters(chatbotID string) ([]Starter, error) {
	var out []Starter
	err := s.readChatbot(chatbotID, func(c *Chatbot) error {
		out = make([]Starter, 0, len(c.Starters))
		for _, x := range c.Starters {
			out = append(out, cloneStarter(x))
		}
		return nil
	})
	return out, err
}

// CreateStarter adds a conversation starter after the others (highest rank + 1).
func (s *Store) CreateStarter(chatbotID string, in PairInput) (Starter, error) {
	var out Starter
	button, err := in.validate()
	if err != nil {
		return out, err
	}
	err = s.withChatbot(chatbotID, func(c *Chatbot) error {
		if err := roomInListLocked(s.cfg.Caps.StartersPerChatbot, len(c.Starters), "conversation starters per chatbot"); err != nil {
			return err
		}
		now := s.now()
		x := &Starter{ID: s.ids.uuid(), ChatbotID: c.ID, Rank: rankedNext(c.Starters), CreatedAt: now, UpdatedAt: now}
		x.fields().set(in, button)
		c.Starters = append(c.Starters, x)
		s.idx.starters[ownedKey{c.ID, x.ID}] = x
		out = cloneStarter(x)
		return nil
	})
	return out, err
}

// UpdateStarter replaces a starter's pair (404 RESOURCE_NOT_FOUND for an unknown id);
// giving the other pair switches its type and clears the old pair.
func (s *Store) UpdateStarter(chatbotID, id string, in PairInput) (Starter, error) {
	var out Starter
	button, err := in.validate()
	if err != nil {
		return out, err
	}
	err = s.withChatbot(chatbotID, func(c *Chatbot) error {
		x, ok := s.findStarterLocked(c)(id)
		if !ok {
			return apierr.New(apierr.ResourceNotFound, "Conversation starter not found")
		}
		x.fields().set(in, button)
		x.UpdatedAt = s.now()
		out = cloneStarter(x)
		return nil
	})
	return out, err
}

// DeleteStarters deletes the named starters; unknown ids are reported, not fatal, unless
// none was deleted (404 RESOURCE_NOT_FOUND). The remaining ranks are re-packed from 0.
func (s *Store) DeleteStarters(chatbotID string, ids []string) (DeleteOutcome, error) {
	var out DeleteOutcome
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		kept, res, err := deleteRanked(c.Starters, ids, s.findStarterLocked(c), "conversation starters", s.now())
		out = res
		if err != nil {
			return err
		}
		for _, id := range res.DeletedIDs {
			delete(s.idx.starters, ownedKey{c.ID, id})
		}
		c.Starters = kept
		return nil
	})
	return out, err
}

// ReorderStarters sets the starters' ranks from orderedIDs, a permutation of their ids.
func (s *Store) ReorderStarters(chatbotID string, orderedIDs []string) error {
	return s.withChatbot(chatbotID, func(c *Chatbot) error {
		return reorderRanked(c.Starters, orderedIDs, s.findStarterLocked(c), s.now())
	})
}

// FollowUps lists the chatbot's follow-up prompts by rank, lowest first.
func (s *Store) FollowUps(chatbotID string) ([]FollowUp, error) {
	var out []FollowUp
	err := s.readChatbot(chatbotID, func(c *Chatbot) error {
		out = make([]FollowUp, 0, len(c.FollowUps))
		for _, x := range c.FollowUps {
			out = append(out, cloneFollowUp(x))
		}
		return nil
	})
	return out, err
}

// CreateFollowUp adds a follow-up prompt after the others; esclate defaults to false.
func (s *Store) CreateFollowUp(chatbotID string, in PairInput, esclate *bool) (FollowUp, error) {
	var out FollowUp
	button, err := in.validate()
	if err != nil {
		return out, err
	}
	err = s.withChatbot(chatbotID, func(c *Chatbot) error {
		if err := roomInListLocked(s.cfg.Caps.FollowUpsPerChatbot, len(c.FollowUps), "follow-up prompts per chatbot"); err != nil {
			return err
		}
		now := s.now()
		x := &FollowUp{ID: s.ids.uuid(), ChatbotID: c.ID, Rank: rankedNext(c.FollowUps), CreatedAt: now, UpdatedAt: now}
		if esclate != nil {
			x.Esclate = *esclate
		}
		x.fields().set(in, button)
		c.FollowUps = append(c.FollowUps, x)
		s.idx.followUps[ownedKey{c.ID, x.ID}] = x
		out = cloneFollowUp(x)
		return nil
	})
	return out, err
}

// UpdateFollowUp replaces a prompt's pair and, when given, its esclate flag (404
// RESOURCE_NOT_FOUND for an unknown id); the other pair is cleared.
func (s *Store) UpdateFollowUp(chatbotID, id string, in PairInput, esclate *bool) (FollowUp, error) {
	var out FollowUp
	button, err := in.validate()
	if err != nil {
		return out, err
	}
	err = s.withChatbot(chatbotID, func(c *Chatbot) error {
		x, ok := s.findFollowUpLocked(c)(id)
		if !ok {
			return apierr.New(apierr.ResourceNotFound, "Follow-up prompt not found")
		}
		x.fields().set(in, button)
		if esclate != nil {
			x.Esclate = *esclate
		}
		x.UpdatedAt = s.now()
		out = cloneFollowUp(x)
		return nil
	})
	return out, err
}

// DeleteFollowUps deletes the named prompts, as DeleteStarters does.
func (s *Store) DeleteFollowUps(chatbotID string, ids []string) (DeleteOutcome, error) {
	var out DeleteOutcome
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		kept, res, err := deleteRanked(c.FollowUps, ids, s.findFollowUpLocked(c), "follow-up prompts", s.now())
		out = res
		if err != nil {
			return err
		}
		for _, id := range res.DeletedIDs {
			delete(s.idx.followUps, ownedKey{c.ID, id})
		}
		c.FollowUps = kept
		return nil
	})
	return out, err
}

// ReorderFollowUps sets the prompts' ranks from orderedIDs, a permutation of their ids.
func (s *Store) ReorderFollowUps(chatbotID string, orderedIDs []string) error {
	return s.withChatbot(chatbotID, func(c *Chatbot) error {
		return reorderRanked(c.FollowUps, orderedIDs, s.findFollowUpLocked(c), s.now())
	})
}

func (s *Store) findStarterLocked(c *Chatbot) func(string) (*Starter, bool) {
	return func(id string) (*Starter, bool) {
		x, ok := s.idx.starters[ownedKey{c.ID, id}]
		return x, ok
	}
}

func (s *Store) findFollowUpLocked(c *Chatbot) func(string) (*FollowUp, bool) {
	return func(id string) (*FollowUp, bool) {
		x, ok := s.idx.followUps[ownedKey{c.ID, id}]
		return x, ok
	}
}
