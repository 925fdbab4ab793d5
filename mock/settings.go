package mock

import (
	"encoding/json"
	"net/http"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/store"
)

// declaredFields returns the body's fields that the operation's JSON request schema
// declares, decoded; unknown fields are ignored (the reference ignores them too). It is
// how "only the fields sent change" and "no valid fields to update" are decided.
func declaredFields(c *call) (store.Doc, error) {
	raw, err := c.fields()
	if err != nil {
		return nil, err
	}
	out := store.Doc{}
	props := c.route.BodyFields // worked out once when the spec loaded
	for k, v := range raw {
		if _, ok := props[k]; !ok {
			continue
		}
		var val any
		if err := json.Unmarshal(v, &val); err != nil {
			return nil, &apierr.Error{Code: apierr.RequestValidationFailed, Message: "Request body is not valid",
				Fields: []apierr.FieldError{{Path: []any{k}, Message: err.Error()}}}
		}
		out[k] = val
	}
	return out, nil
}

func (m *Mock) getChatbotSettings(c *call) (result, error) {
	id := c.param("chatbotId")
	name, settings, err := m.store.ChatbotSettings(id)
	if err != nil {
		return result{}, err
	}
	var s any
	if settings != nil {
		s = settings
	}
	return result{Message: "Settings fetched successfully", Data: map[string]any{"chatbotId": id, "name": name, "settings": s}}, nil
}

// saveGeneralSettings is the upsert shared by PATCH .../settings and .../settings/general
// (the latter ignores chatStart, which the reference does not list for it).
func (m *Mock) saveGeneralSettings(c *call, withChatStart bool) (store.Doc, error) {
	fields, err := declaredFields(c)
	if err != nil {
		return nil, err
	}
	if !withChatStart {
		delete(fields, "chatStart")
	}
	in := store.GeneralSettingsUpdate{Fields: fields, Plan: c.access.Plan}
	if v, ok := fields["llmModelId"]; ok {
		delete(fields, "llmModelId")
		if s, ok := v.(string); ok {
			in.LLMModelID = &s
		}
	}
	return m.store.UpdateGeneralSettings(c.param("chatbotId"), m.defaultsFor("GeneralSettings"), in)
}

func (m *Mock) updateChatbotSettings(c *call) (result, error) {
	d, err := m.saveGeneralSettings(c, true)
	if err != nil {
		return result{}, err
	}
	return result{Message: "Settings updated successfully", Data: d}, nil
}

func (m *Mock) getGeneralSettings(c *call) (result, error) {
	_, settings, err := m.store.ChatbotSettings(c.param("chatbotId"))
	if err != nil {
		return result{}, err
	}
	var d any
	if settings != nil {
		d = settings
	}
	return result{Message: "General settings fetched successfully", Data: d}, nil
}

func (m *Mock) updateGeneralSettings(c *call) (result, error) {
	d, err := m.saveGeneralSettings(c, false)
	if err != nil {
		return result{}, err
	}
	return result{Message: "General settings updated successfully", Data: d}, nil
}

// getAdvancedSettings is the reference's placeholder: an empty object.
func (m *Mock) getAdvancedSettings(c *call) (result, error) {
	return result{Message: "Advanced settings fetched successfully", Data: map[string]any{}}, nil
}

// updateAdvancedSettings is the reference's stub: a valid, permitted request is 501.
func (m *Mock) updateAdvancedSettings(c *call) (result, error) {
	// The reference's 501 carries error.code INTERNAL_SERVER_ERROR.
	return result{}, &apierr.Error{Code: apierr.InternalServerError, Message: "Advanced settings update is not implemented yet",
		StatusOverride: http.StatusNotImplemented}
}

func (m *Mock) getChatMode(c *call) (result, error) {
	mode, err := m.store.ChatMode(c.param("chatbotId"))
	if err != nil {
		return result{}, err
	}
	return result{Message: "Chat mode fetched successfully", Data: map[string]any{"chatStart": mode}}, nil
}

func (m *Mock) updateChatMode(c *call) (result, error) {
	var in struct {
		ChatStart string `json:"chatStart"`
	}
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	mode, err := m.store.SetChatMode(c.param("chatbotId"), m.defaultsFor("GeneralSettings"), in.ChatStart)
	if err != nil {
		return result{}, err
	}
	return result{Message: "Chat mode updated successfully", Data: map[string]any{"chatStart": mode}}, nil
}

func (m *Mock) getUserData(c *call) (result, error) {
	d, err := m.store.UserData(c.param("chatbotId"), m.defaultsFor("LeadSettings"))
	if err != nil {
		return result{}, err
	}
	return result{Message: "User data settings fetched successfully", Data: d}, nil
}

// updateUserData writes the lead flags into the lead settings (created with their
// defaults when missing) and whenUserShareDetails onto the chatbot.
func (m *Mock) updateUserData(c *call) (result, error) {
	fields, err := declaredFields(c)
	if err != nil {
		return result{}, err
	}
	d, err := m.store.UpdateUserData(c.param("chatbotId"), m.defaultsFor("LeadSettings"), fields)
	if err != nil {
		return result{}, err
	}
	return result{Message: "User data settings updated successfully", Data: d}, nil
}
