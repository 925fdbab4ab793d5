package mock

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
