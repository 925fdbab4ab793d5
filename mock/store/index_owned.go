package store

import "fmt"

// ---- leads ----

type leadKey struct{ chatbot, visitor, thread string }

// leadKeyOf is the one-lead-per key of a lead: its visitor on the chatbot, or its thread
// when it has no visitor.
func leadKeyOf(chatbotID, visitorID, threadID string) leadKey {
	if visitorID != "" {
		return leadKey{chatbot: chatbotID, visitor: visitorID}
	}
	return leadKey{chatbot: chatbotID, thread: threadID}
}

func (s *Store) indexLeadLocked(l *Lead) {
	if s.idx.leadsByBot[l.ChatbotID] == nil {
		s.idx.leadsByBot[l.ChatbotID] = map[string]*Lead{}
	}
	s.idx.leadsByBot[l.ChatbotID][l.ID] = l
	k := leadKeyOf(l.ChatbotID, l.VisitorID, l.ThreadID)
	if _, ok := s.idx.leadsByVisitor[k]; !ok {
		s.idx.leadsByVisitor[k] = l
	}
	if l.ThreadID != "" {
		if s.idx.leadsByThread[l.ThreadID] == nil {
			s.idx.leadsByThread[l.ThreadID] = map[string]*Lead{}
		}
		s.idx.leadsByThread[l.ThreadID][l.ID] = l
	}
}

// ---- what a chatbot owns: starters, follow-ups, instructions, personas ----

// ownedKey names an item of a chatbot's own lists.
type ownedKey struct{ chatbot, id string }

// checkOwned refuses a chatbot whose lists repeat an id (the store finds items by id).
func (n *Store) checkOwned(c *Chatbot) *problem {
	seen := map[string]bool{}
	dup := func(list string, i int, id string) *problem {
		if id == "" {
			return problemf(fmt.Sprintf(".%s[%d]", list, i), "id is missing")
		}
		if seen[list+"\x00"+id] {
			return problemf(fmt.Sprintf(".%s[%d]", list, i), "duplicate id %s", id)
		}
		seen[list+"\x00"+id] = true
		return nil
	}
	for i, x := range c.Starters {
		if x == nil {
			return problemf(fmt.Sprintf(".starters[%d]", i), "is null")
		}
		if p := dup("starters", i, x.ID); p != nil {
			return p
		}
	}
	for i, x := range c.FollowUps {
		if x == nil {
			return problemf(fmt.Sprintf(".followUps[%d]", i), "is null")
		}
		if p := dup("followUps", i, x.ID); p != nil {
			return p
		}
	}
	for i, x := range c.Instructions {
		if x == nil {
			return problemf(fmt.Sprintf(".instructions[%d]", i), "is null")
		}
		if p := dup("instructions", i, x.ID); p != nil {
			return p
		}
	}
	for i, x := range c.Personas {
		if x == nil {
			return problemf(fmt.Sprintf(".personas[%d]", i), "is null")
		}
		if p := dup("personas", i, x.ID); p != nil {
			return p
		}
	}
	return nil
}

// indexOwnedLocked indexes a chatbot's lists by id, puts its starters and follow-ups in rank
// order (the order every write keeps them in) and notes its active items.
func (s *Store) indexOwnedLocked(c *Chatbot) {
	rankedSort(c.Starters)
	rankedSort(c.FollowUps)
	for _, x := range c.Starters {
		s.idx.starters[ownedKey{c.ID, x.ID}] = x
	}
	for _, x := range c.FollowUps {
		s.idx.followUps[ownedKey{c.ID, x.ID}] = x
	}
	delete(s.idx.activeInstr, c.ID)
	for _, x := range c.Instructions {
		s.idx.instructions[ownedKey{c.ID, x.ID}] = x
		addTitled(s.idx.instrByTitle, c.ID, x, s.nextTitleOrd())
		if x.IsActive {
			s.idx.activeInstr[c.ID] = append(s.idx.activeInstr[c.ID], x)
		}
	}
	delete(s.idx.activePersonas, c.ID)
	for _, x := range c.Personas {
		s.idx.personas[ownedKey{c.ID, x.ID}] = x
		addTitled(s.idx.personaByTitle, c.ID, x, s.nextTitleOrd())
		if x.IsActive {
			s.idx.activePersonas[c.ID] = append(s.idx.activePersonas[c.ID], x)
		}
	}
}

func (s *Store) unindexOwnedLocked(c *Chatbot) {
	for _, x := range c.Starters {
		delete(s.idx.starters, ownedKey{c.ID, x.ID})
	}
	for _, x := range c.FollowUps {
		delete(s.idx.followUps, ownedKey{c.ID, x.ID})
	}
	for _, x := range c.Instructions {
		delete(s.idx.instructions, ownedKey{c.ID, x.ID})
		removeTitled(s.idx.instrByTitle, c.ID, x)
	}
	for _, x := range c.Personas {
		delete(s.idx.personas, ownedKey{c.ID, x.ID})
		removeTitled(s.idx.personaByTitle, c.ID, x)
	}
	delete(s.idx.activeInstr, c.ID)
	delete(s.idx.activePersonas, c.ID)
}

// titleKey is a chatbot and a title as select-by-title compares it: without surrounding
// blanks, case-folded (foldName, the relation strings.EqualFold uses).
type titleKey struct{ chatbot, title string }

// titled is an item in the title index with its place in its chatbot's creation order.
type titled[T any] struct {
	x   T
	ord uint64
}

// nextTitleOrd numbers an item newly in a chatbot's list (import, create).
func (s *Store) nextTitleOrd() uint64 {
	s.idx.titleOrd++
	return s.idx.titleOrd
}

// addTitled indexes an item under its title, in creation order (ord). Blank titles are
// not indexed: a select never matches them. O(items with that title).
func addTitled[T activatable](m map[titleKey][]titled[T], chatbotID string, x T, ord uint64) {
	k := titleKey{chatbotID, foldName(x.itemTitle())}
	if k.title == "" {
		return
	}
	list := m[k]
	i := len(list)
	for i > 0 && list[i-1].ord > ord {
		i--
	}
	m[k] = append(list[:i:i], append([]titled[T]{{x, ord}}, list[i:]...)...)
}

// removeTitled takes an item out of the title index and returns its ord (call it before
// the item's title changes). O(items with that title).
func removeTitled[T activatable](m map[titleKey][]titled[T], chatbotID string, x T) uint64 {
	k := titleKey{chatbotID, foldName(x.itemTitle())}
	list := m[k]
	var ord uint64
	for i, o := range list {
		if o.x == x {
			ord = o.ord
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(m, k)
	} else {
		m[k] = list
	}
	return ord
}
