package mock

import (
	"net/http"
	"strconv"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/store"
)

// getMyChatbots answers from the per-user cache when it holds a fresh answer (the real
// API caches this list for 10 minutes per user; see mychatbots_cache.go).
func (m *Mock) getMyChatbots(c *call) (result, error) {
	if data, ok := m.myChatbots.get(c.who.UserID, m.clock.Now()); ok {
		return result{Message: "Success", Data: data}, nil
	}
	accounts, total := m.store.MyChatbots(c.who)
	type accountView struct {
		AccountID   string               `json:"accountId"`
		AccountName string               `json:"accountName"`
		UserRole    string               `json:"userRole"`
		Chatbots    []chatbotSummaryView `json:"chatbots"`
	}
	out := make([]accountView, 0, len(accounts))
	for _, a := range accounts {
		bots := make([]chatbotSummaryView, 0, len(a.Chatbots))
		for _, b := range a.Chatbots {
			bots = append(bots, viewChatbotSummary(b))
		}
		out = append(out, accountView{AccountID: a.AccountID, AccountName: a.AccountName, UserRole: a.UserRole, Chatbots: bots})
	}
	data := map[string]any{"accounts": out, "totalCount": total}
	m.myChatbots.put(c.who.UserID, data, m.clock.Now())
	return result{Message: "Success", Data: data}, nil
}

func (m *Mock) listChatbots(c *call) (result, error) {
	page, limit, err := pageParams(c)
	if err != nil {
		return result{}, err
	}
	items, total := m.store.ChatbotPage(c.who, page, limit)
	pg := newPageInfo(page, limit, total)
	views := make([]chatbotSummaryView, 0, len(items))
	for _, b := range items {
		views = append(views, viewChatbotSummary(b))
	}
	return result{Message: "Success", Data: map[string]any{"chatbots": views, "pagination": pg}}, nil
}

func (m *Mock) createChatbot(c *call) (result, error) {
	var in struct {
		ChatbotName string  `json:"chatbotName"`
		Description string  `json:"description"`
		AccountID   *string `json:"accountId"`
	}
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	accountID := c.who.AccountID
	if in.AccountID != nil {
		accountID = *in.AccountID
	}
	if _, err := m.store.AccountAccess(c.who, accountID, store.PermEdit); err != nil {
		return result{}, err
	}
	bot, err := m.store.CreateChatbot(accountID, c.who.UserID, store.NewChatbot{Name: in.ChatbotName, Description: in.Description})
	if err != nil {
		return result{}, fieldsFor(err, "chatbotName")
	}
	return result{Status: http.StatusCreated, Message: "Chatbot created successfully", Data: chatbotCreatedView{chatbotView: viewChatbot(bot), AccountID: bot.AccountID}}, nil
}

func (m *Mock) getAllChatbotsInAccount(c *call) (result, error) {
	bots := m.store.AccountChatbots(c.access.AccountID)
	views := make([]chatbotView, 0, len(bots))
	for _, b := range bots {
		views = append(views, viewChatbot(b))
	}
	return result{Message: "Success", Data: map[string]any{"chatbots": views, "count": len(views), "userRole": string(c.access.Role)}}, nil
}

func (m *Mock) getChatbotByID(c *call) (result, error) {
	bot, ok := m.store.Chatbot(c.access.ChatbotID)
	if !ok {
		return result{}, apierr.New(apierr.ChatbotNotFound, "Chatbot not found")
	}
	return result{Message: "Success", Data: viewChatbot(bot)}, nil
}

func (m *Mock) updateChatbotByID(c *call) (result, error) {
	var in struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
		IsActive    *bool   `json:"isActive"`
	}
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	bot, err := m.store.UpdateChatbot(c.param("accountId"), c.param("chatbotId"), store.ChatbotPatch{Name: in.Name, Description: in.Description, IsActive: in.IsActive})
	if err != nil {
		return result{}, fieldsFor(err, "name")
	}
	return result{Message: "Chatbot updated successfully", Data: viewChatbot(bot)}, nil
}

func (m *Mock) deleteChatbotByID(c *call) (result, error) {
	if err := m.store.DeleteChatbot(c.param("accountId"), c.param("chatbotId")); err != nil {
		return result{}, err
	}
	return result{Message: "Chatbot deleted successfully", Data: nil}, nil
}

func (m *Mock) createChatbotInAccount(c *call) (result, error) {
	var in struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	bot, err := m.store.CreateChatbot(c.access.AccountID, c.who.UserID, store.NewChatbot{Name: in.Name, Description: in.Description})
	if err != nil {
		return result{}, fieldsFor(err, "name")
	}
	return result{Status: http.StatusCreated, Message: "Chatbot created successfully", Data: chatbotCreatedView{chatbotView: viewChatbot(bot), AccountID: bot.AccountID}}, nil
}

// fieldsFor adds a field path to a 400 from the store that names no field.
func fieldsFor(err error, field string) error {
	e := apierr.As(err)
	if e.Status() == http.StatusBadRequest && len(e.Fields) == 0 {
		e.Fields = []apierr.FieldError{{Path: []any{field}, Message: e.Message}}
	}
	return e
}

// pageParams reads page (≥ 1, default 1) and limit (1..100, default 20); the spec has
// validated their ranges already.
func pageParams(c *call) (page, limit int, err error) {
	page, limit = 1, 20
	if v := c.query.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			return 0, 0, &apierr.Error{Code: apierr.RequestValidationFailed, Message: "page must be an integer ≥ 1",
				Fields: []apierr.FieldError{{Path: []any{"page"}, Message: "must be an integer ≥ 1"}}}
		}
	}
	if v := c.query.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 100 {
			return 0, 0, &apierr.Error{Code: apierr.RequestValidationFailed, Message: "limit must be an integer from 1 to 100",
				Fields: []apierr.FieldError{{Path: []any{"limit"}, Message: "must be an integer from 1 to 100"}}}
		}
	}
	return page, limit, nil
}
