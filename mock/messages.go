package mock

import (
	"net/http"
	"strconv"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/store"
)

// messagePageThread is the thread summary getThreadMessages returns beside the messages.
type messagePageThread struct {
	ID                  string `json:"id"`
	Mode                string `json:"mode"`
	Anonymous           bool   `json:"anonymous"`
	UnreadMessagesCount int    `json:"unreadMessagesCount"`
}

type cursorInfo struct {
	Limit      int     `json:"limit"`
	HasMore    bool    `json:"hasMore"`
	NextCursor *string `json:"nextCursor"`
}

func (m *Mock) getThreadMessages(c *call) (result, error) {
	limit := 20
	if v := c.query.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return result{}, &apierr.Error{Code: apierr.RequestValidationFailed, Message: "limit must be an integer from 1 to 100",
				Fields: []apierr.FieldError{{Path: []any{"limit"}, Message: "must be an integer from 1 to 100"}}}
		}
		limit = n
	}
	pg, err := m.store.ReadThreadMessages(c.access.ChatbotID, c.param("threadId"), c.query.Get("before"), limit)
	if err != nil {
		return result{}, err
	}
	msgs := make([]messageView, len(pg.Messages))
	for i, msg := range pg.Messages {
		msgs[i] = viewMessage(msg)
	}
	return result{Message: "Messages fetched successfully", Data: map[string]any{
		"messages": msgs,
		"thread": messagePageThread{ID: pg.Thread.ID, Mode: pg.Thread.Mode, Anonymous: pg.Thread.Anonymous,
			UnreadMessagesCount: pg.Thread.UnreadMessagesCount},
		"pagination": cursorInfo{Limit: limit, HasMore: pg.HasMore, NextCursor: pg.NextCursor},
	}}, nil
}

func (m *Mock) sendAgentMessage(c *call) (result, error) {
	var in struct {
		Content   string  `json:"content"`
		AgentName *string `json:"agentName"`
	}
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	if in.AgentName == nil && c.who.UserName != "" {
		name := c.who.UserName
		in.AgentName = &name
	}
	chatbotID, threadID := c.access.ChatbotID, c.param("threadId")
	// 404 before the message is counted against the plan.
	if _, err := m.store.Thread(chatbotID, threadID); err != nil {
		return result{}, err
	}
	if err := m.chargeMessages(c.access.AccountID, c.access.Plan, 1, 0); err != nil {
		return result{}, err
	}
	msg, err := m.store.SendAgentMessage(chatbotID, threadID, store.AgentMessage{Content: in.Content, AgentName: in.AgentName})
	if err != nil {
		return result{}, err
	}
	return result{Status: http.StatusCreated, Message: "Agent message sent successfully", Data: map[string]any{"message": viewMessage(msg)}}, nil
}

func (m *Mock) editMessage(c *call) (result, error) {
	var in struct {
		Content string `json:"content"`
	}
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	msg, err := m.store.EditMessage(c.access.ChatbotID, c.param("messageId"), in.Content, c.who.UserID)
	if err != nil {
		return result{}, err
	}
	return result{Message: "Message updated successfully", Data: map[string]any{"message": viewMessage(msg)}}, nil
}
