package mock

import "github.com/contextgpt/sandbox/mock/store"

// The wire views: how the domain's records (mock/store) look in JSON on the public API and
// the control plane. A handler fetches a record and answers view<Record>(record); the
// field names and their order are the reference's, timestamps go through timestamp.

// chatbotView is the reference's Chatbot object.
type chatbotView struct {
	ChatbotID       string `json:"chatbotId"`
	Name            string `json:"name"`
	Description     string `json:"description"`
	IsActive        bool   `json:"isActive"`
	CreatedByUserID string `json:"createdByUserId"`
	CreatedAt       string `json:"createdAt"`
	UpdatedAt       string `json:"updatedAt"`
}

// chatbotSummaryView adds the account and the caller's per-chatbot role (my-chatbots, list).
type chatbotSummaryView struct {
	chatbotView
	AccountID       string  `json:"accountId"`
	UserChatbotRole *string `json:"userChatbotRole"`
}

// chatbotCreatedView is create-chatbot's answer: the documented fields and the rest.
type chatbotCreatedView struct {
	chatbotView
	AccountID string `json:"accountId"`
}

func viewChatbot(c store.Chatbot) chatbotView {
	return chatbotView{ChatbotID: c.ID, Name: c.Name, Description: c.Description, IsActive: c.IsActive,
		CreatedByUserID: c.CreatedByUserID, CreatedAt: timestamp(c.CreatedAt), UpdatedAt: timestamp(c.UpdatedAt)}
}

func viewChatbotSummary(c store.Chatbot) chatbotSummaryView {
	return chatbotSummaryView{chatbotView: viewChatbot(c), AccountID: c.AccountID}
}

// instructionView is the API's Instruction object.
type instructionView struct {
	ID              string  `json:"id"`
	ChatbotID       string  `json:"chatbotId"`
	Title           *string `json:"title"`
	Instruction     string  `json:"instruction"`
	Deletable       bool    `json:"deletable"`
	IsActive        bool    `json:"isActive"`
	CreativityLevel float64 `json:"creativityLevel"`
	CreatedAt       string  `json:"createdAt"`
	UpdatedAt       string  `json:"updatedAt"`
}

// personaView is the API's Persona object.
type personaView struct {
	ID              string  `json:"id"`
	ChatbotID       string  `json:"chatbotId"`
	Title           string  `json:"title"`
	Description     *string `json:"description"`
	Instructions    string  `json:"instructions"`
	CreativityLevel float64 `json:"creativityLevel"`
	Deletable       bool    `json:"deletable"`
	IsActive        bool    `json:"isActive"`
	CreatedAt       string  `json:"createdAt"`
	UpdatedAt       string  `json:"updatedAt"`
}

func viewInstruction(x store.Instruction) instructionView {
	return instructionView{ID: x.ID, ChatbotID: x.ChatbotID, Title: x.Title, Instruction: x.Instruction, Deletable: x.Deletable,
		IsActive: x.IsActive, CreativityLevel: x.CreativityLevel, CreatedAt: timestamp(x.CreatedAt), UpdatedAt: timestamp(x.UpdatedAt)}
}

func viewPersona(x store.Persona) personaView {
	return personaView{ID: x.ID, ChatbotID: x.ChatbotID, Title: x.Title, Description: x.Description, Instructions: x.Instructions,
		CreativityLevel: x.CreativityLevel, Deletable: x.Deletable, IsActive: x.IsActive,
		CreatedAt: timestamp(x.CreatedAt), UpdatedAt: timestamp(x.UpdatedAt)}
}

// messageView is the reference's Message object.
type messageView struct {
	ID                string                `json:"id"`
	ThreadID          string                `json:"threadId"`
	ChatbotID         string                `json:"chatbotId"`
	MessageType       string                `json:"messageType"`
	SystemMessageType *string               `json:"systemMessageType"`
	Content           string                `json:"content"`
	ContentTimestamp  *string               `json:"contentTimestamp"`
	Role              string                `json:"role"`
	AgentName         *string               `json:"agentName"`
	ParentMessageID   *string               `json:"parentMessageId"`
	LLMModelID        *string               `json:"llmModelId"`
	Reaction          *string               `json:"reaction"`
	Source            []store.MessageSource `json:"source"`
	IsEdited          bool                  `json:"isEdited"`
	EditedBy          *string               `json:"editedBy"`
	EditedAt          *string               `json:"editedAt"`
	CreatedAt         string                `json:"createdAt"`
	UpdatedAt         string                `json:"updatedAt"`
}

func viewMessage(msg store.Message) messageView {
	return messageView{
		ID: msg.ID, ThreadID: msg.ThreadID, ChatbotID: msg.ChatbotID, MessageType: msg.MessageType,
		SystemMessageType: msg.SystemMessageType, Content: msg.Content, ContentTimestamp: timestampPtr(msg.ContentTimestamp),
		Role: msg.Role, AgentName: msg.AgentName, ParentMessageID: msg.ParentMessageID, LLMModelID: msg.LLMModelID,
		Reaction: msg.Reaction, Source: msg.Source, IsEdited: msg.IsEdited, EditedBy: msg.EditedBy,
		EditedAt: timestampPtr(msg.EditedAt), CreatedAt: timestamp(msg.CreatedAt), UpdatedAt: timestamp(msg.UpdatedAt),
	}
}

// starterView is the API's ConversationStarter object.
type starterView struct {
	ID            string  `json:"id"`
	ChatbotID     string  `json:"chatbotId"`
	Rank          int     `json:"rank"`
	ButtonTitle   *string `json:"buttonTitle"`
	ButtonMessage *string `json:"buttonMessage"`
	LinkText      *string `json:"linkText"`
	LinkSrc       *string `json:"linkSrc"`
	CreatedAt     string  `json:"createdAt"`
	UpdatedAt     string  `json:"updatedAt"`
}

// followUpView is the API's FollowUpPrompt object.
type followUpView struct {
	ID            string  `json:"id"`
	ChatbotID     string  `json:"chatbotId"`
	Rank          int     `json:"rank"`
	Esclate       bool    `json:"esclate"`
	ButtonTitle   *string `json:"buttonTitle"`
	ButtonMessage *string `json:"buttonMessage"`
	LinkText      *string `json:"linkText"`
	LinkSrc       *string `json:"linkSrc"`
	CreatedAt     string  `json:"createdAt"`
	UpdatedAt     string  `json:"updatedAt"`
}

// deleteOutcomeView is the API's BulkDeleteResult object.
type deleteOutcomeView struct {
	DeletedIDs   []string `json:"deletedIds"`
	FailedIDs    []string `json:"failedIds"`
	DeletedCount int      `json:"deletedCount"`
	FailedCount  int      `json:"failedCount"`
}

func viewStarter(x store.Starter) starterView {
	return starterView{ID: x.ID, ChatbotID: x.ChatbotID, Rank: x.Rank, ButtonTitle: x.ButtonTitle, ButtonMessage: x.ButtonMessage,
		LinkText: x.LinkText, LinkSrc: x.LinkSrc, CreatedAt: timestamp(x.CreatedAt), UpdatedAt: timestamp(x.UpdatedAt)}
}

func viewFollowUp(x store.FollowUp) followUpView {
	return followUpView{ID: x.ID, ChatbotID: x.ChatbotID, Rank: x.Rank, Esclate: x.Esclate, ButtonTitle: x.ButtonTitle,
		ButtonMessage: x.ButtonMessage, LinkText: x.LinkText, LinkSrc: x.LinkSrc, CreatedAt: timestamp(x.CreatedAt), UpdatedAt: timestamp(x.UpdatedAt)}
}

func viewDeleteOutcome(o store.DeleteOutcome) deleteOutcomeView {
	return deleteOutcomeView{DeletedIDs: o.DeletedIDs, FailedIDs: o.FailedIDs, DeletedCount: len(o.DeletedIDs), FailedCount: len(o.FailedIDs)}
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

// threadView is the reference's Thread object.
type threadView struct {
	ID                  string          `json:"id"`
	ChatbotID           string          `json:"chatbotId"`
	VisitorID           *string         `json:"visitorId"`
	Title               *string         `json:"title"`
	Mode                string          `json:"mode"`
	Anonymous           bool            `json:"anonymous"`
	UnreadMessagesCount int             `json:"unreadMessagesCount"`
	Escalated           bool            `json:"escalated"`
	Important           bool            `json:"important"`
	Resolved            bool            `json:"resolved"`
	Archived            bool            `json:"archived"`
	Tags                []string        `json:"tags"`
	PositiveCount       int             `json:"positiveCount"`
	NegativeCount       int             `json:"negativeCount"`
	PlatformSource      *string         `json:"platformSource"`
	StartedAt           *string         `json:"startedAt"`
	UpdatedAt           string          `json:"updatedAt"`
	EndedAt             *string         `json:"endedAt"`
	VisitorName         *string         `json:"visitorName"`
	VisitorEmail        *string         `json:"visitorEmail"`
	VisitorPhone        *string         `json:"visitorPhone"`
	BotIconSrc          *string         `json:"botIconSrc"`
	UserIconSrc         *string         `json:"userIconSrc"`
	AgentIconSrc        *string         `json:"agentIconSrc"`
	BubbleIconSrc       *string         `json:"bubbleIconSrc"`
	LLMModel            *store.LLMModel `json:"llmModel"`
}

func viewThread(t store.Thread) threadView {
	return threadView{
		ID: t.ID, ChatbotID: t.ChatbotID, VisitorID: t.VisitorID, Title: t.Title, Mode: t.Mode, Anonymous: t.Anonymous,
		UnreadMessagesCount: t.UnreadMessagesCount, Escalated: t.Escalated, Important: t.Important, Resolved: t.Resolved,
		Archived: t.Archived, Tags: t.Tags, PositiveCount: t.PositiveCount, NegativeCount: t.NegativeCount,
		PlatformSource: t.PlatformSource, StartedAt: timestampPtr(t.StartedAt), UpdatedAt: timestamp(t.UpdatedAt),
		EndedAt: timestampPtr(t.EndedAt), VisitorName: t.VisitorName, VisitorEmail: t.VisitorEmail, VisitorPhone: t.VisitorPhone,
		BotIconSrc: t.BotIconSrc, UserIconSrc: t.UserIconSrc, AgentIconSrc: t.AgentIconSrc, BubbleIconSrc: t.BubbleIconSrc,
		LLMModel: t.LLMModel,
	}
}

// threadDetailsView is the reference's ThreadDetails object: no title, icons or model, the
// phone as visitorPhoneNumber, internal notes and the visitor's statistics. webhookUrl and
// webhookToken belong to the advanced settings, a stub in the reference: always null.
type threadDetailsView struct {
	ID                   string   `json:"id"`
	ChatbotID            string   `json:"chatbotId"`
	VisitorID            *string  `json:"visitorId"`
	Mode                 string   `json:"mode"`
	Anonymous            bool     `json:"anonymous"`
	UnreadMessagesCount  int      `json:"unreadMessagesCount"`
	WebhookURL           *string  `json:"webhookUrl"`
	WebhookToken         *string  `json:"webhookToken"`
	Escalated            bool     `json:"escalated"`
	Important            bool     `json:"important"`
	Resolved             bool     `json:"resolved"`
	Archived             bool     `json:"archived"`
	Tags                 []string `json:"tags"`
	PositiveCount        int      `json:"positiveCount"`
	NegativeCount        int      `json:"negativeCount"`
	InternalNotes        *string  `json:"internalNotes"`
	PlatformSource       *string  `json:"platformSource"`
	StartedAt            *string  `json:"startedAt"`
	UpdatedAt            string   `json:"updatedAt"`
	EndedAt              *string  `json:"endedAt"`
	VisitorName          *string  `json:"visitorName"`
	VisitorEmail         *string  `json:"visitorEmail"`
	VisitorPhoneNumber   *string  `json:"visitorPhoneNumber"`
	VisitorIsIdentified  *bool    `json:"visitorIsIdentified"`
	VisitorTotalSessions *int     `json:"visitorTotalSessions"`
	VisitorTotalMessages *int     `json:"visitorTotalMessages"`
	VisitorFirstSeenAt   *string  `json:"visitorFirstSeenAt"`
	VisitorLastSeenAt    *string  `json:"visitorLastSeenAt"`
}

func viewThreadDetails(d store.ThreadDetails) threadDetailsView {
	t := d.Thread
	identified := d.VisitorIsIdentified
	return threadDetailsView{
		ID: t.ID, ChatbotID: t.ChatbotID, VisitorID: t.VisitorID, Mode: t.Mode, Anonymous: t.Anonymous,
		UnreadMessagesCount: t.UnreadMessagesCount, Escalated: t.Escalated, Important: t.Important, Resolved: t.Resolved,
		Archived: t.Archived, Tags: t.Tags, PositiveCount: t.PositiveCount, NegativeCount: t.NegativeCount,
		InternalNotes: t.InternalNotes, PlatformSource: t.PlatformSource, StartedAt: timestampPtr(t.StartedAt),
		UpdatedAt: timestamp(t.UpdatedAt), EndedAt: timestampPtr(t.EndedAt), VisitorName: t.VisitorName,
		VisitorEmail: t.VisitorEmail, VisitorPhoneNumber: t.VisitorPhone, VisitorIsIdentified: &identified,
		VisitorTotalSessions: d.VisitorTotalSessions, VisitorTotalMessages: d.VisitorTotalMessages,
		VisitorFirstSeenAt: timestampPtr(d.VisitorFirstSeenAt), VisitorLastSeenAt: timestampPtr(d.VisitorLastSeenAt),
	}
}

// webhookConfigView is the API's WebhookConfig; Secret is set only in the 201 of the first save.
type webhookConfigView struct {
	ChatbotID  string   `json:"chatbotId"`
	URL        string   `json:"url"`
	Events     []string `json:"events"`
	IsEnabled  bool     `json:"isEnabled"`
	SecretHint string   `json:"secretHint"`
	CreatedAt  string   `json:"createdAt"`
	UpdatedAt  string   `json:"updatedAt"`
	Secret     string   `json:"secret,omitempty"`
}

func viewWebhookConfig(w store.WebhookConfig) webhookConfigView {
	return webhookConfigView{ChatbotID: w.ChatbotID, URL: w.URL, Events: append([]string{}, w.Events...), IsEnabled: w.IsEnabled,
		SecretHint: secretHint(w.Secret), CreatedAt: timestamp(w.CreatedAt), UpdatedAt: timestamp(w.UpdatedAt)}
}

// deliveryView is the API's WebhookDelivery.
type deliveryView struct {
	ID                 string         `json:"id"`
	EventType          string         `json:"eventType"`
	Status             string         `json:"status"`
	Attempts           int            `json:"attempts"`
	ResponseStatusCode *int           `json:"responseStatusCode"`
	ResponseTimeMs     *int           `json:"responseTimeMs"`
	ResponseBody       *string        `json:"responseBody"`
	RequestPayload     map[string]any `json:"requestPayload"`
	Error              *string        `json:"error"`
	NextRetryAt        *string        `json:"nextRetryAt"`
	CreatedAt          string         `json:"createdAt"`
	UpdatedAt          string         `json:"updatedAt"`
}

func viewDelivery(d store.Delivery) deliveryView {
	v := deliveryView{ID: d.ID, EventType: d.EventType, Status: d.Status, Attempts: d.Attempts,
		ResponseStatusCode: d.ResponseStatusCode, ResponseTimeMs: d.ResponseTimeMs, ResponseBody: d.ResponseBody,
		RequestPayload: d.RequestPayload, Error: d.Error, CreatedAt: timestamp(d.CreatedAt), UpdatedAt: timestamp(d.UpdatedAt)}
	if v.RequestPayload == nil {
		v.RequestPayload = map[string]any{}
	}
	if d.NextRetryAt != nil {
		s := timestamp(*d.NextRetryAt)
		v.NextRetryAt = &s
	}
	return v
}

func viewIcons(doc store.Doc) map[string]any {
	out := make(map[string]any, 5)
	for _, f := range iconFields() {
		out[f] = doc[f]
	}
	return out
}

type leadView struct {
	ID         string  `json:"id"`
	ChatbotID  string  `json:"chatbotId"`
	ThreadID   string  `json:"threadId"`
	VisitorID  string  `json:"visitorId"`
	Name       *string `json:"name"`
	Email      *string `json:"email"`
	Phone      *string `json:"phone"`
	CapturedAt string  `json:"capturedAt"`
}
