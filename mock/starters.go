package mock

import (
	"net/http"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/store"
)

// pairBody is the JSON body of the starter and follow-up writes.
type pairBody struct {
	ID            string  `json:"id"`
	ButtonTitle   *string `json:"buttonTitle"`
	ButtonMessage *string `json:"buttonMessage"`
	LinkText      *string `json:"linkText"`
	LinkSrc       *string `json:"linkSrc"`
	Esclate       *bool   `json:"esclate"`
}

func (b pairBody) pair() store.PairInput {
	return store.PairInput{ButtonTitle: b.ButtonTitle, ButtonMessage: b.ButtonMessage, LinkText: b.LinkText, LinkSrc: b.LinkSrc}
}

// pairOrderedIDs reads the reorder body.
func pairOrderedIDs(c *call) ([]string, error) {
	var in struct {
		OrderedIDs []string `json:"orderedIds"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.OrderedIDs == nil {
		return nil, &apierr.Error{Code: apierr.MissingRequiredField, Message: "orderedIds is required",
			Fields: []apierr.FieldError{{Path: []any{"orderedIds"}, Message: "orderedIds is required"}}}
	}
	return in.OrderedIDs, nil
}

func (m *Mock) getConversationStarters(c *call) (result, error) {
	list, err := m.store.Starters(c.param("chatbotId"))
	if err != nil {
		return result{}, err
	}
	views := make([]starterView, 0, len(list))
	for _, x := range list {
		views = append(views, viewStarter(x))
	}
	return result{Message: "Success", Data: map[string]any{"data": views, "count": len(views)}}, nil
}

func (m *Mock) createConversationStarter(c *call) (result, error) {
	var in pairBody
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	x, err := m.store.CreateStarter(c.param("chatbotId"), in.pair())
	if err != nil {
		return result{}, err
	}
	return result{Status: http.StatusCreated, Message: "Conversation starter created successfully", Data: viewStarter(x)}, nil
}

func (m *Mock) updateConversationStarter(c *call) (result, error) {
	var in pairBody
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	if in.ID == "" {
		return result{}, &apierr.Error{Code: apierr.MissingRequiredField, Message: "id is required",
			Fields: []apierr.FieldError{{Path: []any{"id"}, Message: "id is required"}}}
	}
	x, err := m.store.UpdateStarter(c.param("chatbotId"), in.ID, in.pair())
	if err != nil {
		return result{}, err
	}
	return result{Message: "Conversation starter updated successfully", Data: viewStarter(x)}, nil
}

func (m *Mock) deleteConversationStarter(c *call) (result, error) {
	out, err := m.store.DeleteStarters(c.param("chatbotId"), c.query["convoStartId"])
	if err != nil {
		return result{}, err
	}
	return result{Message: "Conversation starters deleted successfully", Data: viewDeleteOutcome(out)}, nil
}

func (m *Mock) reorderConversationStarters(c *call) (result, error) {
	ids, err := pairOrderedIDs(c)
	if err != nil {
		return result{}, err
	}
	if err := m.store.ReorderStarters(c.param("chatbotId"), ids); err != nil {
		return result{}, err
	}
	return result{Message: "Conversation starters reordered successfully", NoData: true}, nil
}

func (m *Mock) getFollowUpPrompts(c *call) (result, error) {
	list, err := m.store.FollowUps(c.param("chatbotId"))
	if err != nil {
		return result{}, err
	}
	views := make([]followUpView, 0, len(list))
	for _, x := range list {
		views = append(views, viewFollowUp(x))
	}
	return result{Message: "Success", Data: map[string]any{"data": views, "count": len(views)}}, nil
}

func (m *Mock) createFollowUpPrompt(c *call) (result, error) {
	var in pairBody
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	x, err := m.store.CreateFollowUp(c.param("chatbotId"), in.pair(), in.Esclate)
	if err != nil {
		return result{}, err
	}
	return result{Status: http.StatusCreated, Message: "Follow-up prompt created successfully", Data: viewFollowUp(x)}, nil
}

func (m *Mock) updateFollowUpPrompt(c *call) (result, error) {
	var in pairBody
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	x, err := m.store.UpdateFollowUp(c.param("chatbotId"), c.param("followUpPromptId"), in.pair(), in.Esclate)
	if err != nil {
		return result{}, err
	}
	return result{Message: "Follow-up prompt updated successfully", Data: viewFollowUp(x)}, nil
}

func (m *Mock) deleteFollowUpPrompt(c *call) (result, error) {
	out, err := m.store.DeleteFollowUps(c.param("chatbotId"), c.query["followUpPromptId"])
	if err != nil {
		return result{}, err
	}
	return result{Message: "Follow-up prompts deleted successfully", Data: viewDeleteOutcome(out)}, nil
}

func (m *Mock) reorderFollowUpPrompts(c *call) (result, error) {
	ids, err := pairOrderedIDs(c)
	if err != nil {
		return result{}, err
	}
	if err := m.store.ReorderFollowUps(c.param("chatbotId"), ids); err != nil {
		return result{}, err
	}
	return result{Message: "Follow-up prompts reordered successfully", NoData: true}, nil
}
