package mock

import "github.com/contextgpt/sandbox/mock/store"

func (m *Mock) registerTextSnippet() {
	m.handle("getTextSnippet", store.PermView, m.getTextSnippet)
	m.handle("upsertTextSnippet", store.PermEditSettings, m.upsertTextSnippet)
}

// textSnippetView is the API's TextSnippet object.
type textSnippetView struct {
	ID          string  `json:"id"`
	ChatbotID   string  `json:"chatbotId"`
	Description *string `json:"description"`
	CreatedAt   string  `json:"createdAt"`
	UpdatedAt   string  `json:"updatedAt"`
}

func viewTextSnippet(t store.TextSnippet) textSnippetView {
	return textSnippetView{ID: t.ID, ChatbotID: t.ChatbotID, Description: t.Description,
		CreatedAt: timestamp(t.CreatedAt), UpdatedAt: timestamp(t.UpdatedAt)}
}

func (m *Mock) getTextSnippet(c *call) (result, error) {
	t, err := m.store.GetTextSnippet(c.param("chatbotId"))
	if err != nil {
		return result{}, err
	}
	return result{Message: "Text snippet fetched successfully", Data: viewTextSnippet(t)}, nil
}

// upsertTextSnippet creates or replaces the snippet; always 200. A null or missing
// description empties it.
func (m *Mock) upsertTextSnippet(c *call) (result, error) {
	var in struct {
		Description *string `json:"description"`
	}
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	t, err := m.store.UpsertTextSnippet(c.param("chatbotId"), in.Description)
	if err != nil {
		return result{}, err
	}
	return result{Message: "Text snippet saved successfully", Data: viewTextSnippet(t)}, nil
}
