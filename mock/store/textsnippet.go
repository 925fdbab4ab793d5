package store

import "github.com/contextgpt/sandbox/mock/apierr"

// GetTextSnippet returns the chatbot's text snippet (404 TEXT_SNIPPET_NOT_FOUND when it has none).
func (s *Store) GetTextSnippet(chatbotID string) (TextSnippet, error) {
	var out TextSnippet
	err := s.readChatbot(chatbotID, func(c *Chatbot) error {
		if c.TextSnippet == nil {
			return apierr.New(apierr.TextSnippetNotFound, "Text snippet not found")
		}
		out = *c.TextSnippet
		out.Description = clonePtr(c.TextSnippet.Description)
		return nil
	})
	return out, err
}

// UpsertTextSnippet creates the chatbot's single text snippet or replaces its text; a
// nil description empties it.
func (s *Store) UpsertTextSnippet(chatbotID string, description *string) (TextSnippet, error) {
	var out TextSnippet
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		now := s.now()
		if c.TextSnippet == nil {
			c.TextSnippet = &TextSnippet{ID: s.ids.uuid(), ChatbotID: c.ID, CreatedAt: now}
		}
		c.TextSnippet.Description = clonePtr(description)
		c.TextSnippet.UpdatedAt = now
		out = *c.TextSnippet
		out.Description = clonePtr(description)
		return nil
	})
	return out, err
}
