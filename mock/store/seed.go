package store

import "github.com/contextgpt/sandbox/mock/apierr"

// ChatbotSeed is what fixtures put into a chatbot besides its own fields.
type ChatbotSeed struct {
	TextSnippet  *string
	Starters     []PairSeed
	FollowUps    []PairSeed
	Instructions []InstructionSeed
	Personas     []PersonaSeed
	Threads      []ThreadSeed
}

// PairSeed is a starter or follow-up prompt: a button pair or a link pair.
type PairSeed struct {
	ButtonTitle, ButtonMessage, LinkText, LinkSrc *string
	Esclate                                       bool
}

// InstructionSeed is a fixture instruction.
type InstructionSeed struct {
	Title, Instruction string
	Active             bool
}

// PersonaSeed is a fixture persona.
type PersonaSeed struct {
	Title, Instructions string
	Description         *string
	Active              bool
}

// ThreadSeed is a fixture thread with its messages.
type ThreadSeed struct {
	NewThread
	Tags                           []string
	Resolved, Important, Escalated bool
	Messages                       []NewMessage
}

// SeedChatbot fills a chatbot from fixtures.
func (s *Store) SeedChatbot(chatbotID string, seed ChatbotSeed) error {
	return s.update(func() error {
		c, ok := s.chatbots[chatbotID]
		if !ok {
			return apierr.New(apierr.ChatbotNotFound, "chatbot %s not found", chatbotID)
		}
		now := s.now()
		if seed.TextSnippet != nil {
			c.TextSnippet = &TextSnippet{ID: s.ids.uuid(), ChatbotID: c.ID, Description: seed.TextSnippet, CreatedAt: now, UpdatedAt: now}
		}
		for i, p := range seed.Starters {
			c.Starters = append(c.Starters, &Starter{ID: s.ids.uuid(), ChatbotID: c.ID, Rank: i,
				ButtonTitle: p.ButtonTitle, ButtonMessage: p.ButtonMessage, LinkText: p.LinkText, LinkSrc: p.LinkSrc, CreatedAt: now, UpdatedAt: now})
		}
		for i, p := range seed.FollowUps {
			c.FollowUps = append(c.FollowUps, &FollowUp{ID: s.ids.uuid(), ChatbotID: c.ID, Rank: i, Esclate: p.Esclate,
				ButtonTitle: p.ButtonTitle, ButtonMessage: p.ButtonMessage, LinkText: p.LinkText, LinkSrc: p.LinkSrc, CreatedAt: now, UpdatedAt: now})
		}
		for _, in := range seed.Instructions {
			c.Instructions = append(c.Instructions, &Instruction{ID: s.ids.uuid(), ChatbotID: c.ID, Title: ptr(in.Title),
				Instruction: in.Instruction, CreativityLevel: 0.5, Deletable: true, IsActive: in.Active, CreatedAt: now, UpdatedAt: now})
		}
		for _, in := range seed.Personas {
			c.Personas = append(c.Personas, &Persona{ID: s.ids.uuid(), ChatbotID: c.ID, Title: in.Title, Description: in.Description,
				Instructions: in.Instructions, CreativityLevel: 0.5, Deletable: true, IsActive: in.Active, CreatedAt: now, UpdatedAt: now})
		}
		s.unindexOwnedLocked(c)
		s.indexOwnedLocked(c)
		for _, ts := range seed.Threads {
			t := s.newThreadLocked(c, ts.NewThread)
			if ts.Tags != nil {
				t.Tags = append([]string{}, ts.Tags...)
			}
			t.Resolved, t.Important, t.Escalated = ts.Resolved, ts.Important, ts.Escalated
			s.syncThreadLocked(t)
			for _, m := range ts.Messages {
				s.appendMessageLocked(t, m)
			}
		}
		return nil
	})
}
