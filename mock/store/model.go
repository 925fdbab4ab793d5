package store

import (
	"time"

	"github.com/contextgpt/sandbox/mock/plans"
)

// Doc is a settings document stored as the JSON object the API returns (appearance, lead,
// human-support and general settings, localization texts). Defaults come from the spec.
type Doc = map[string]any

// Account is a tenant: it owns chatbots and has a plan. Addons are paid extras on top of
// the plan (AddonWebhooks: webhooks on a plan that does not include them).
type Account struct {
	ID        string     `json:"accountId"`
	Name      string     `json:"accountName"`
	Plan      plans.Plan `json:"plan"`
	Sandbox   bool       `json:"sandbox"`
	Addons    []string   `json:"addons,omitempty"`
	CreatedAt time.Time  `json:"createdAt"`
}

// User is a person; Memberships maps account id → role. ChatbotRoles maps chatbot id →
// role on that chatbot: members other than SUPER_ADMIN reach only the chatbots listed
// there (the reference's per-chatbot membership); a SUPER_ADMIN reaches every chatbot of
// its account.
type User struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Email        string            `json:"email"`
	Memberships  map[string]Role   `json:"memberships"`
	ChatbotRoles map[string]Role   `json:"chatbotRoles,omitempty"`
	CreatedAt    time.Time         `json:"createdAt"`
	Extra        map[string]string `json:"extra,omitempty"`
}

// APIKey authenticates a user acting in one account.
type APIKey struct {
	Key       string    `json:"apiKey"`
	Name      string    `json:"keyName"`
	UserID    string    `json:"userId"`
	AccountID string    `json:"accountId"`
	IsActive  bool      `json:"isActive"`
	CreatedAt time.Time `json:"createdAt"`
}

// Chatbot is a chatbot with everything it owns.
type Chatbot struct {
	ID              string    `json:"chatbotId"`
	AccountID       string    `json:"accountId"`
	Name            string    `json:"name"`
	Description     string    `json:"description"`
	IsActive        bool      `json:"isActive"`
	CreatedByUserID string    `json:"createdByUserId"`
	CreatedAt       time.Time `json:"createdAt"`
	UpdatedAt       time.Time `json:"updatedAt"`

	Appearance    Doc            `json:"appearance,omitempty"`
	LeadSettings  Doc            `json:"leadSettings,omitempty"`
	HumanSupport  Doc            `json:"humanSupport,omitempty"`
	Settings      Doc            `json:"settings,omitempty"`
	UserData      Doc            `json:"userData,omitempty"`
	Localizations map[string]Doc `json:"localizations,omitempty"`
	TextSnippet   *TextSnippet   `json:"textSnippet,omitempty"`
	Starters      []*Starter     `json:"starters,omitempty"`
	FollowUps     []*FollowUp    `json:"followUps,omitempty"`
	Instructions  []*Instruction `json:"instructions,omitempty"`
	Personas      []*Persona     `json:"personas,omitempty"`
	Webhook       *WebhookConfig `json:"webhook,omitempty"`

	ref int32 // its ref in its account's item table (the store's own)
}

// Starter is a conversation starter (a button pair XOR a link pair).
type Starter struct {
	ID            string    `json:"id"`
	ChatbotID     string    `json:"chatbotId"`
	Rank          int       `json:"rank"`
	ButtonTitle   *string   `json:"buttonTitle"`
	ButtonMessage *string   `json:"buttonMessage"`
	LinkText      *string   `json:"linkText"`
	LinkSrc       *string   `json:"linkSrc"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
}

// FollowUp is a follow-up prompt; Esclate (sic, as documented) marks an escalation trigger.
type FollowUp struct {
	ID            string    `json:"id"`
	ChatbotID     string    `json:"chatbotId"`
	Rank          int       `json:"rank"`
	Esclate       bool      `json:"esclate"`
	ButtonTitle   *string   `json:"buttonTitle"`
	ButtonMessage *string   `json:"buttonMessage"`
	LinkText      *string   `json:"linkText"`
	LinkSrc       *string   `json:"linkSrc"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
}

// Instruction is an instruction set; one per chatbot is active.
type Instruction struct {
	ID              string    `json:"id"`
	ChatbotID       string    `json:"chatbotId"`
	Title           *string   `json:"title"`
	Instruction     string    `json:"instruction"`
	CreativityLevel float64   `json:"creativityLevel"`
	Deletable       bool      `json:"deletable"`
	IsActive        bool      `json:"isActive"`
	CreatedAt       time.Time `json:"createdAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
}

// Persona is a persona; one per chatbot is active.
type Persona struct {
	ID              string    `json:"id"`
	ChatbotID       string    `json:"chatbotId"`
	Title           string    `json:"title"`
	Description     *string   `json:"description"`
	Instructions    string    `json:"instructions"`
	CreativityLevel float64   `json:"creativityLevel"`
	Deletable       bool      `json:"deletable"`
	IsActive        bool      `json:"isActive"`
	CreatedAt       time.Time `json:"createdAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
}

// TextSnippet is the chatbot's single text snippet (its knowledge, for simulated replies).
type TextSnippet struct {
	ID          string    `json:"id"`
	ChatbotID   string    `json:"chatbotId"`
	Description *string   `json:"description"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// LLMModel names the model a thread used.
type LLMModel struct {
	ID       string `json:"id"`
	Provider string `json:"provider"`
	Title    string `json:"title"`
}

// Thread is a conversation; its JSON is the API's Thread object. Fields after the API's
// are the mock's own bookkeeping (kept in the state export).
type Thread struct {
	ID                  string     `json:"id"`
	ChatbotID           string     `json:"chatbotId"`
	VisitorID           *string    `json:"visitorId"`
	Title               *string    `json:"title"`
	Mode                string     `json:"mode"`
	Anonymous           bool       `json:"anonymous"`
	UnreadMessagesCount int        `json:"unreadMessagesCount"`
	Escalated           bool       `json:"escalated"`
	Important           bool       `json:"important"`
	Resolved            bool       `json:"resolved"`
	Archived            bool       `json:"archived"`
	Tags                []string   `json:"tags"`
	PositiveCount       int        `json:"positiveCount"`
	NegativeCount       int        `json:"negativeCount"`
	PlatformSource      *string    `json:"platformSource"`
	StartedAt           *time.Time `json:"startedAt"`
	UpdatedAt           time.Time  `json:"updatedAt"`
	EndedAt             *time.Time `json:"endedAt"`
	VisitorName         *string    `json:"visitorName"`
	VisitorEmail        *string    `json:"visitorEmail"`
	VisitorPhone        *string    `json:"visitorPhone"`
	BotIconSrc          *string    `json:"botIconSrc"`
	UserIconSrc         *string    `json:"userIconSrc"`
	AgentIconSrc        *string    `json:"agentIconSrc"`
	BubbleIconSrc       *string    `json:"bubbleIconSrc"`
	LLMModel            *LLMModel  `json:"llmModel"`

	InternalNotes *string   `json:"internalNotes"`
	LastActivity  time.Time `json:"lastActivityAt"`
	Seq           uint64    `json:"seq"`

	ix  threadIx // where the store's indexes hold it (never copied out)
	row int32    // its row in the store's threadTable (0: not stored)
}

// Message is one message of a thread; its JSON is the API's Message object.
type Message struct {
	ID                string          `json:"id"`
	ThreadID          string          `json:"threadId"`
	ChatbotID         string          `json:"chatbotId"`
	MessageType       string          `json:"messageType"`
	SystemMessageType *string         `json:"systemMessageType"`
	Content           string          `json:"content"`
	ContentTimestamp  *time.Time      `json:"contentTimestamp"`
	Role              string          `json:"role"`
	AgentName         *string         `json:"agentName"`
	ParentMessageID   *string         `json:"parentMessageId"`
	LLMModelID        *string         `json:"llmModelId"`
	Reaction          *string         `json:"reaction"`
	Source            []MessageSource `json:"source"`
	IsEdited          bool            `json:"isEdited"`
	EditedBy          *string         `json:"editedBy"`
	EditedAt          *time.Time      `json:"editedAt"`
	CreatedAt         time.Time       `json:"createdAt"`
	UpdatedAt         time.Time       `json:"updatedAt"`

	Seq uint64 `json:"seq"`

	row int32 // its row in the store's msgTable (0: not stored)
}

// MessageSource is a passage an AI reply was grounded on.
type MessageSource struct {
	Title   string `json:"title"`
	URL     string `json:"url"`
	Snippet string `json:"snippet"`
}

// Lead is contact details a visitor left.
type Lead struct {
	ID         string    `json:"id"`
	ChatbotID  string    `json:"chatbotId"`
	ThreadID   string    `json:"threadId"`
	VisitorID  string    `json:"visitorId"`
	Name       *string   `json:"name"`
	Email      *string   `json:"email"`
	Phone      *string   `json:"phone"`
	CapturedAt time.Time `json:"capturedAt"`
}

// WebhookConfig is a chatbot's webhook configuration.
type WebhookConfig struct {
	// ID names this configuration: deleting and saving again makes a new one, and each
	// source event is delivered at most once per configuration.
	ID        string    `json:"id,omitempty"`
	ChatbotID string    `json:"chatbotId"`
	URL       string    `json:"url"`
	Secret    string    `json:"secret"`
	Events    []string  `json:"events"`
	IsEnabled bool      `json:"isEnabled"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Delivery is one webhook event sent (or to be sent) to a configuration.
type Delivery struct {
	ID                 string         `json:"id"`
	ChatbotID          string         `json:"chatbotId"`
	EventType          string         `json:"eventType"`
	EventKey           string         `json:"eventKey"`
	ConfigID           string         `json:"configId,omitempty"` // the WebhookConfig it was made for
	Status             string         `json:"status"`
	Attempts           int            `json:"attempts"`
	ResponseStatusCode *int           `json:"responseStatusCode"`
	ResponseTimeMs     *int           `json:"responseTimeMs"`
	ResponseBody       *string        `json:"responseBody"`
	RequestPayload     map[string]any `json:"requestPayload"`
	Error              *string        `json:"error"`
	NextRetryAt        *time.Time     `json:"nextRetryAt"`
	CreatedAt          time.Time      `json:"createdAt"`
	UpdatedAt          time.Time      `json:"updatedAt"`
	Seq                uint64         `json:"seq"`

	ix deliveryIx // where the store's indexes hold it (never copied out)
}
