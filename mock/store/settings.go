package store

import (
	"strings"
	"time"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/plans"
)

// Singleton settings documents of a chatbot: lead settings, human-support settings and
// general settings (with chatStart), plus the user-data preference. Documents are stored
// as the JSON objects the API returns; their defaults come from the spec and are passed
// in by the caller (the store does not read the spec). Timestamps in documents are
// strings (RFC 3339, UTC, milliseconds), so a state export round-trips exactly.

// docTime formats a time as documents store it.
func docTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// slot is one singleton document of a chatbot with its error codes.
type slot struct {
	get             func(c *Chatbot) Doc
	set             func(c *Chatbot, d Doc)
	notFound        string
	notFoundMsg     string
	alreadyExist    string
	alreadyExistMsg string
}

func leadSlot() slot {
	return slot{
		get: func(c *Chatbot) Doc { return c.LeadSettings }, set: func(c *Chatbot, d Doc) { c.LeadSettings = d },
		notFound: apierr.LeadSettingsNotFound, notFoundMsg: "Lead settings not found",
		alreadyExist: apierr.LeadSettingsAlreadyExist, alreadyExistMsg: "Lead settings already exist for this chatbot. Use update instead.",
	}
}

func humanSupportSlot() slot {
	return slot{
		get: func(c *Chatbot) Doc { return c.HumanSupport }, set: func(c *Chatbot, d Doc) { c.HumanSupport = d },
		notFound: apierr.HumanSupportNotFound, notFoundMsg: "Human support settings not found",
		alreadyExist: apierr.HumanSupportAlreadyExist, alreadyExistMsg: "Human support settings already exist for this chatbot. Use update instead.",
	}
}

// newDoc stamps a fresh document built from defaults with the given fields applied:
// id, chatbotId, and createdAt/updatedAt where the document has them.
func (s *Store) newDoc(c *Chatbot, defaults, fields Doc) Doc {
	d := CloneDoc(defaults)
	if d == nil {
		d = Doc{}
	}
	for k, v := range fields {
		d[k] = cloneAny(v)
	}
	now := docTime(s.now())
	d["id"] = s.ids.uuid()
	d["chatbotId"] = c.ID
	if _, ok := defaults["createdAt"]; ok {
		d["createdAt"] = now
	}
	d["updatedAt"] = now
	return d
}

// touch applies fields to a stored document and bumps its updatedAt.
func (s *Store) touch(d Doc, fields Doc) {
	for k, v := range fields {
		d[k] = cloneAny(v)
	}
	d["updatedAt"] = docTime(s.now())
}

func (s *Store) getSlot(chatbotID string, sl slot) (Doc, error) {
	var out Doc
	err := s.readChatbot(chatbotID, func(c *Chatbot) error {
		d := sl.get(c)
		if d == nil {
			return apierr.New(sl.notFound, "%s", sl.notFoundMsg)
		}
		out = CloneDoc(d)
		return nil
	})
	return out, err
}

func (s *Store) createSlot(chatbotID string, sl slot, defaults, fields Doc) (Doc, error) {
	var out Doc
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		if sl.get(c) != nil {
			return apierr.New(sl.alreadyExist, "%s", sl.alreadyExistMsg)
		}
		d := s.newDoc(c, defaults, fields)
		sl.set(c, d)
		out = CloneDoc(d)
		return nil
	})
	return out, err
}

func (s *Store) updateSlot(chatbotID string, sl slot, fields Doc) (Doc, error) {
	var out Doc
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		d := sl.get(c)
		if d == nil {
			return apierr.New(sl.notFound, "%s", sl.notFoundMsg)
		}
		if len(fields) == 0 {
			return apierr.New(apierr.NoValidFieldsToUpdate, "No valid fields to update")
		}
		s.touch(d, fields)
		out = CloneDoc(d)
		return nil
	})
	return out, err
}

// LeadSettings returns the chatbot's lead settings (404 LEAD_SETTINGS_NOT_FOUND until created).
func (s *Store) LeadSettings(chatbotID string) (Doc, error) { return s.getSlot(chatbotID, leadSlot()) }

// CreateLeadSettings creates the lead settings from defaults with fields applied
// (409 LEAD_SETTINGS_ALREADY_EXIST the second time).
func (s *Store) CreateLeadSettings(chatbotID string, defaults, fields Doc) (Doc, error) {
	return s.createSlot(chatbotID, leadSlot(), defaults, fields)
}

// UpdateLeadSettings changes the fields given (404 LEAD_SETTINGS_NOT_FOUND; 400
// NO_VALID_FIELDS_TO_UPDATE when fields is empty).
func (s *Store) UpdateLeadSettings(chatbotID string, fields Doc) (Doc, error) {
	return s.updateSlot(chatbotID, leadSlot(), fields)
}

// DeleteLeadSettings deletes the lead settings and returns them as they were.
func (s *Store) DeleteLeadSettings(chatbotID string) (Doc, error) {
	var out Doc
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		if c.LeadSettings == nil {
			return apierr.New(leadSlot().notFound, "%s", leadSlot().notFoundMsg)
		}
		out = c.LeadSettings
		c.LeadSettings = nil
		return nil
	})
	return out, err
}

// HumanSupportSettings returns the escalation settings (404 HUMAN_SUPPORT_SETTINGS_NOT_FOUND).
func (s *Store) HumanSupportSettings(chatbotID string) (Doc, error) {
	return s.getSlot(chatbotID, humanSupportSlot())
}

// CreateHumanSupportSettings creates the escalation settings from defaults with fields
// applied (409 HUMAN_SUPPORT_SETTINGS_ALREADY_EXIST the second time).
func (s *Store) CreateHumanSupportSettings(chatbotID string, defaults, fields Doc) (Doc, error) {
	return s.createSlot(chatbotID, humanSupportSlot(), defaults, fields)
}

// UpdateHumanSupportSettings changes the fields given.
func (s *Store) UpdateHumanSupportSettings(chatbotID string, fields Doc) (Doc, error) {
	return s.updateSlot(chatbotID, humanSupportSlot(), fields)
}

// LLMModel catalogue: the models a chatbot may use. Ids are stable UUIDs (the spec's
// examples use the first two).

// LLMModels lists the language models the mock offers, in a fixed order.
func LLMModels() []LLMModel {
	return []LLMModel{
		{ID: "4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e", Provider: "openai", Title: "gpt-4.1-mini"},
		{ID: "e2b4c6d8-1a3f-4e5b-9c7d-0f1e2d3c4b5a", Provider: "openai", Title: "gpt-4o-mini"},
		{ID: "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", Provider: "openai", Title: "gpt-4.1"},
	}
}

// FindLLMModel finds a model by its id, or by its name (e.g. "gpt-4.1-mini", any case).
func FindLLMModel(idOrName string) (LLMModel, bool) {
	for _, m := range LLMModels() {
		if m.ID == idOrName || strings.EqualFold(m.Title, idOrName) {
			return m, true
		}
	}
	return LLMModel{}, false
}

// PlanHasConversationLimits tells whether a plan may limit messages per conversation
// (the reference's settings guide: Growth, Scale and Enterprise).
func PlanHasConversationLimits(p plans.Plan) bool {
	return p == plans.Growth || p == plans.Scale || p == plans.Enterprise
}

// Chat modes (GeneralSettings.chatStart).
const (
	ChatStartAI    = "ai"
	ChatStartAgent = "agent"
)

// ChatbotSettings returns the chatbot's name and its general settings (nil before the
// first save).
func (s *Store) ChatbotSettings(chatbotID string) (name string, settings Doc, err error) {
	err = s.readChatbot(chatbotID, func(c *Chatbot) error {
		name = c.Name
		if c.Settings != nil {
			settings = CloneDoc(c.Settings)
		}
		return nil
	})
	return name, settings, err
}

// GeneralSettingsUpdate is a change of the general settings. Fields holds the
// GeneralSettings fields as sent (already filtered to known input fields, with
// llmModelId removed); LLMModelID is the requested model, if any.
type GeneralSettingsUpdate struct {
	Fields     Doc
	LLMModelID *string
	// Plan is the account's plan (conversation limits need Growth or above).
	Plan plans.Plan
}

// UpdateGeneralSettings upserts the general settings: the row is created from defaults
// when missing. Rules, in order: nothing to change → 400 NO_VALID_FIELDS_TO_UPDATE;
// enabling limitMessagesPerConversation on a plan without conversation limits → 400
// INVALID_FIELD_VALUE (the reference answers 403 INSUFFICIENT_PERMISSIONS here; the mock
// keeps 403 for roles and reports a plan feature as a field value); maxMessagesPerConversation
// unless limitMessagesPerConversation is, or becomes, true → 400 INVALID_FIELD_VALUE;
// an unknown llmModelId → 404 RESOURCE_NOT_FOUND. The model is stored as llmId.
func (s *Store) UpdateGeneralSettings(chatbotID string, defaults Doc, in GeneralSettingsUpdate) (Doc, error) {
	var out Doc
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		if len(in.Fields) == 0 && in.LLMModelID == nil {
			return apierr.New(apierr.NoValidFieldsToUpdate, "No valid fields to update")
		}
		limit, limitSent := in.Fields["limitMessagesPerConversation"].(bool)
		if limitSent && limit && !PlanHasConversationLimits(in.Plan) {
			return fieldError(apierr.InvalidFieldValue, "limitMessagesPerConversation",
				"Limiting messages per conversation is not available on the "+string(in.Plan)+" plan; it needs Growth, Scale or Enterprise")
		}
		if _, ok := in.Fields["maxMessagesPerConversation"]; ok {
			enabled := limitSent && limit
			if !limitSent && c.Settings != nil {
				enabled, _ = c.Settings["limitMessagesPerConversation"].(bool)
			}
			if !enabled {
				return fieldError(apierr.InvalidFieldValue, "maxMessagesPerConversation",
					"limitMessagesPerConversation must be enabled before setting maxMessagesPerConversation.")
			}
		}
		fields := CloneDoc(in.Fields)
		if in.LLMModelID != nil {
			m, ok := FindLLMModel(*in.LLMModelID)
			if !ok {
				return apierr.New(apierr.ResourceNotFound, "LLM model %q not found or not available", *in.LLMModelID)
			}
			fields["llmId"] = m.ID
		}
		if c.Settings == nil {
			c.Settings = s.newDoc(c, defaults, fields)
		} else {
			s.touch(c.Settings, fields)
		}
		out = CloneDoc(c.Settings)
		return nil
	})
	return out, err
}

// ChatMode returns chatStart ("ai" when the settings were never saved).
func (s *Store) ChatMode(chatbotID string) (string, error) {
	mode := ChatStartAI
	err := s.readChatbot(chatbotID, func(c *Chatbot) error {
		if v, ok := c.Settings["chatStart"].(string); ok && v != "" {
			mode = v
		}
		return nil
	})
	return mode, err
}

// SetChatMode sets chatStart, creating the settings row from defaults when missing.
func (s *Store) SetChatMode(chatbotID string, defaults Doc, mode string) (string, error) {
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		fields := Doc{"chatStart": mode}
		if c.Settings == nil {
			c.Settings = s.newDoc(c, defaults, fields)
		} else {
			s.touch(c.Settings, fields)
		}
		return nil
	})
	return mode, err
}

// User data: the four lead flags live in the lead settings; whenUserShareDetails lives
// in the chatbot's UserData document.
func userDataLeadFlags() [4]string {
	return [4]string{"enableLeadCollection", "customerNameTake", "customerPhoneTake", "customerEmailTake"}
}

// WhenUserShareDetailsDefault is whenUserShareDetails before it is set.
const WhenUserShareDetailsDefault = "optional"

func userDataLocked(c *Chatbot, leadDefaults Doc) Doc {
	src := c.LeadSettings
	if src == nil {
		src = leadDefaults
	}
	out := Doc{}
	for _, k := range userDataLeadFlags() {
		v, _ := src[k].(bool)
		out[k] = v
	}
	out["whenUserShareDetails"] = WhenUserShareDetailsDefault
	if v, ok := c.UserData["whenUserShareDetails"].(string); ok && v != "" {
		out["whenUserShareDetails"] = v
	}
	return out
}

// UserData returns the visitor-data flags: the lead settings' four flags (their defaults
// when the chatbot has no lead settings) and whenUserShareDetails.
func (s *Store) UserData(chatbotID string, leadDefaults Doc) (Doc, error) {
	var out Doc
	err := s.readChatbot(chatbotID, func(c *Chatbot) error {
		out = userDataLocked(c, leadDefaults)
		return nil
	})
	return out, err
}

// UpdateUserData changes the visitor-data flags given (an empty change is 400
// INVALID_FIELD_VALUE). A lead flag is written to the lead settings, which are created
// from leadDefaults when the chatbot has none (so a later create-lead-settings answers
// 409); whenUserShareDetails alone never creates them.
func (s *Store) UpdateUserData(chatbotID string, leadDefaults, fields Doc) (Doc, error) {
	var out Doc
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		if len(fields) == 0 {
			return fieldError(apierr.InvalidFieldValue, "", "At least one user data field must be provided")
		}
		lead := Doc{}
		for _, k := range userDataLeadFlags() {
			if v, ok := fields[k]; ok {
				lead[k] = v
			}
		}
		if len(lead) > 0 {
			if c.LeadSettings == nil {
				c.LeadSettings = s.newDoc(c, leadDefaults, lead)
			} else {
				s.touch(c.LeadSettings, lead)
			}
		}
		if v, ok := fields["whenUserShareDetails"]; ok {
			if c.UserData == nil {
				c.UserData = Doc{}
			}
			c.UserData["whenUserShareDetails"] = v
		}
		out = userDataLocked(c, leadDefaults)
		return nil
	})
	return out, err
}

// fieldError is a 400 naming one field (an empty field names the body).
func fieldError(code, field, msg string) *apierr.Error {
	path := []any{}
	if field != "" {
		path = []any{field}
	}
	return &apierr.Error{Code: code, Message: msg, Fields: []apierr.FieldError{{Path: path, Message: msg}}}
}

// CloneDoc deep-copies a document (nil stays nil).
func CloneDoc(d Doc) Doc {
	if d == nil {
		return nil
	}
	return cloneAny(d).(Doc)
}

func cloneAny(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cloneAny(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneAny(e)
		}
		return out
	default:
		return v
	}
}
