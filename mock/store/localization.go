package store

import (
	"sort"

	"github.com/contextgpt/sandbox/mock/apierr"
)

// Localization texts: one document per locale of a chatbot, keyed by localeCode as sent.

func localizationNotFound(localeCode string) *apierr.Error {
	return apierr.New(apierr.LocalizationNotFound, "Localization text not found for this locale").
		WithDetails(map[string]any{"localeCode": localeCode})
}

// LocalizationTexts lists the chatbot's locale records ordered by localeCode.
func (s *Store) LocalizationTexts(chatbotID string) ([]Doc, error) {
	var out []Doc
	err := s.readChatbot(chatbotID, func(c *Chatbot) error {
		codes := make([]string, 0, len(c.Localizations))
		for code := range c.Localizations {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		out = make([]Doc, 0, len(codes))
		for _, code := range codes {
			out = append(out, CloneDoc(c.Localizations[code]))
		}
		return nil
	})
	return out, err
}

// Localization returns one locale's record (404 LOCALIZATION_NOT_FOUND).
func (s *Store) Localization(chatbotID, localeCode string) (Doc, error) {
	var out Doc
	err := s.readChatbot(chatbotID, func(c *Chatbot) error {
		d, ok := c.Localizations[localeCode]
		if !ok {
			return localizationNotFound(localeCode)
		}
		out = CloneDoc(d)
		return nil
	})
	return out, err
}

// UpsertLocalization creates the record for localeCode from defaults, or changes only
// the texts given in an existing one. created tells which.
func (s *Store) UpsertLocalization(chatbotID, localeCode string, defaults, texts Doc) (doc Doc, created bool, err error) {
	err = s.withChatbot(chatbotID, func(c *Chatbot) error {
		if c.Localizations == nil {
			c.Localizations = map[string]Doc{}
		}
		d, ok := c.Localizations[localeCode]
		if ok {
			s.touch(d, texts)
		} else {
			if err := roomInListLocked(s.cfg.Caps.LocalizationsPerChatbot, len(c.Localizations), "localized locales per chatbot"); err != nil {
				return err
			}
			fields := CloneDoc(texts)
			if fields == nil {
				fields = Doc{}
			}
			fields["localeCode"] = localeCode
			d = s.newDoc(c, defaults, fields)
			c.Localizations[localeCode] = d
			created = true
		}
		doc = CloneDoc(d)
		return nil
	})
	return doc, created, err
}

// DeleteLocalization removes the record for localeCode (404 LOCALIZATION_NOT_FOUND).
func (s *Store) DeleteLocalization(chatbotID, localeCode string) error {
	return s.withChatbot(chatbotID, func(c *Chatbot) error {
		if _, ok := c.Localizations[localeCode]; !ok {
			return apierr.New(apierr.ResourceNotFound, "Localization text not found for this locale").WithDetails(map[string]any{"localeCode": localeCode})
		}
		delete(c.Localizations, localeCode)
		if len(c.Localizations) == 0 {
			c.Localizations = nil
		}
		return nil
	})
}
