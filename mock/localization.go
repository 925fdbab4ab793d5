package mock

import (
	"net/http"

	"github.com/contextgpt/sandbox/mock/apierr"
)

func (m *Mock) getLocalizationTexts(c *call) (result, error) {
	docs, err := m.store.LocalizationTexts(c.param("chatbotId"))
	if err != nil {
		return result{}, err
	}
	return result{Message: "Localization texts fetched successfully", Data: map[string]any{"data": docs, "count": len(docs)}}, nil
}

// upsertLocalizationText saves the texts sent for localeCode; the record answered has
// every field of LocalizationText, null where unset.
func (m *Mock) upsertLocalizationText(c *call) (result, error) {
	fields, err := declaredFields(c)
	if err != nil {
		return result{}, err
	}
	locale, _ := fields["localeCode"].(string)
	delete(fields, "localeCode")
	doc, created, err := m.store.UpsertLocalization(c.param("chatbotId"), locale, m.defaultsFor("LocalizationText"), fields)
	if err != nil {
		return result{}, err
	}
	msg := "Localization text updated successfully"
	if created {
		msg = "Localization text created successfully"
	}
	return result{Message: msg, Data: doc}, nil
}

func (m *Mock) deleteLocalizationText(c *call) (result, error) {
	if err := m.store.DeleteLocalization(c.param("chatbotId"), c.query.Get("localeCode")); err != nil {
		return result{}, err
	}
	return result{Message: "Localization text deleted successfully", Data: nil}, nil
}

// getLocalizationByLocale reads localeCode from the query, else from the reference's JSON
// body on the GET (the query wins when both are given).
func (m *Mock) getLocalizationByLocale(c *call) (result, error) {
	locale := c.query.Get("localeCode")
	if locale == "" {
		var in struct {
			LocaleCode string `json:"localeCode"`
		}
		if err := c.decode(&in); err != nil {
			return result{}, err
		}
		locale = in.LocaleCode
	}
	if locale == "" {
		return result{}, &apierr.Error{Code: apierr.MissingRequiredField, Message: "localeCode is required (query parameter or JSON body)",
			Fields: []apierr.FieldError{{Path: []any{"localeCode"}, Message: "localeCode is required"}}}
	}
	doc, err := m.store.Localization(c.param("chatbotId"), locale)
	if err != nil {
		return result{}, err
	}
	return result{Status: http.StatusOK, Message: "Localization text fetched successfully", Data: doc}, nil
}
