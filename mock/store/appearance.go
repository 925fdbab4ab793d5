package store

import (
	"time"

	"github.com/contextgpt/sandbox/mock/apierr"
)

// appearanceFixed tells the fields the store owns; a create or a patch never sets them.
func appearanceFixed(field string) bool {
	switch field {
	case "id", "chatbotId", "createdAt", "updatedAt":
		return true
	}
	return false
}

// appearanceTime is how the appearance document stores its timestamps (RFC 3339, UTC, ms),
// the form the API returns.
func appearanceTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// Appearance returns a copy of the chatbot's appearance settings: 404
// APPEARANCE_SETTINGS_NOT_FOUND until they are created.
func (s *Store) Appearance(chatbotID string) (Doc, error) {
	var out Doc
	err := s.readChatbot(chatbotID, func(c *Chatbot) error {
		if c.Appearance == nil {
			return appearanceNotFound()
		}
		out = cloneAppearanceDoc(c.Appearance)
		return nil
	})
	return out, err
}

// CreateAppearance stores the chatbot's appearance settings, once (409
// APPEARANCE_SETTINGS_ALREADY_EXIST the second time). doc is the complete document with
// its defaults already applied; the store sets id, chatbotId, createdAt and updatedAt.
func (s *Store) CreateAppearance(chatbotID string, doc Doc) (Doc, error) {
	var out Doc
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		if c.Appearance != nil {
			return apierr.New(apierr.AppearanceAlreadyExist, "Appearance settings already exist for this chatbot")
		}
		d := cloneAppearanceDoc(doc)
		now := appearanceTime(s.now())
		d["id"] = s.ids.uuid()
		d["chatbotId"] = c.ID
		d["createdAt"] = now
		d["updatedAt"] = now
		c.Appearance = d
		out = cloneAppearanceDoc(d)
		return nil
	})
	return out, err
}

// UpdateAppearance sets the fields of patch and leaves the rest: 404
// APPEARANCE_SETTINGS_NOT_FOUND before the settings exist, 400 NO_VALID_FIELDS_TO_UPDATE
// when patch holds no field the store may set.
func (s *Store) UpdateAppearance(chatbotID string, patch Doc) (Doc, error) {
	var out Doc
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		if c.Appearance == nil {
			return appearanceNotFound()
		}
		n := 0
		for k := range patch {
			if !appearanceFixed(k) {
				n++
			}
		}
		if n == 0 {
			return apierr.New(apierr.NoValidFieldsToUpdate, "No valid fields to update")
		}
		for k, v := range patch {
			if !appearanceFixed(k) {
				c.Appearance[k] = cloneAppearanceValue(v)
			}
		}
		c.Appearance["updatedAt"] = appearanceTime(s.now())
		out = cloneAppearanceDoc(c.Appearance)
		return nil
	})
	return out, err
}

func appearanceNotFound() *apierr.Error {
	return apierr.New(apierr.AppearanceNotFound, "Appearance settings not found for this chatbot")
}

// cloneAppearanceDoc deep-copies a settings document (maps, slices and scalars).
func cloneAppearanceDoc(d Doc) Doc {
	if d == nil {
		return nil
	}
	out := make(Doc, len(d))
	for k, v := range d {
		out[k] = cloneAppearanceValue(v)
	}
	return out
}

func cloneAppearanceValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneAppearanceDoc(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneAppearanceValue(e)
		}
		return out
	default:
		return v
	}
}
