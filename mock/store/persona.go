package store

import (
	"strings"

	"github.com/contextgpt/sandbox/mock/apierr"
)

// Personas lists the chatbot's personas, the active one first, the rest in creation order:
// 404 RESOURCE_NOT_FOUND while it has none.
func (s *Store) Personas(chatbotID string) ([]Persona, error) {
	var out []Persona
	err := s.readChatbot(chatbotID, func(c *Chatbot) error {
		if len(c.Personas) == 0 {
			return apierr.New(apierr.ResourceNotFound, "No personas found, create one first")
		}
		out = make([]Persona, 0, len(c.Personas))
		for _, x := range activeFirst(c.Personas) {
			out = append(out, clonePersona(x))
		}
		return nil
	})
	return out, err
}

// NewPersona is the input of CreatePersona; creativityLevel defaults to 0.5. Personas are
// created deletable and inactive.
type NewPersona struct {
	Title           string
	Description     *string
	Instructions    string
	CreativityLevel *float64
}

// CreatePersona adds a persona.
func (s *Store) CreatePersona(chatbotID string, in NewPersona) (Persona, error) {
	var out Persona
	if err := checkPersonaFields(&in.Title, &in.Instructions); err != nil {
		return out, err
	}
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		if err := s.roomForPersonaLocked(c); err != nil {
			return err
		}
		out = clonePersona(s.newPersonaLocked(c, in))
		return nil
	})
	return out, err
}

func checkPersonaFields(title, instructions *string) error {
	var missing []string
	if instrBlank(title) {
		missing = append(missing, "title")
	}
	if instrBlank(instructions) {
		missing = append(missing, "instructions")
	}
	if len(missing) > 0 {
		return instrRequired(strings.Join(missing, " and ")+" required", missing...)
	}
	return nil
}

func (s *Store) newPersonaLocked(c *Chatbot, in NewPersona) *Persona {
	now := s.now()
	x := &Persona{ID: s.ids.uuid(), ChatbotID: c.ID, Title: strings.TrimSpace(in.Title), Description: clonePtr(in.Description),
		Instructions: in.Instructions, CreativityLevel: defaultCreativity, Deletable: true, CreatedAt: now, UpdatedAt: now}
	if in.CreativityLevel != nil {
		x.CreativityLevel = *in.CreativityLevel
	}
	c.Personas = append(c.Personas, x)
	addTitled(s.idx.personaByTitle, c.ID, x, s.nextTitleOrd())
	s.idx.personas[ownedKey{c.ID, x.ID}] = x
	return x
}

// DeletePersonas deletes the named personas, as DeleteInstructions does.
func (s *Store) DeletePersonas(chatbotID string, ids []string) (DeleteOutcome, error) {
	var out DeleteOutcome
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		kept, res, err := deleteActivatable(c.Personas, s.personaByIDLocked(c), ids, "personas")
		out = res
		if err != nil {
			return err
		}
		for _, id := range res.DeletedIDs {
			k := ownedKey{c.ID, id}
			s.idx.activePersonas[c.ID] = withoutItem(s.idx.activePersonas[c.ID], s.idx.personas[k])
			removeTitled(s.idx.personaByTitle, c.ID, s.idx.personas[k])
			delete(s.idx.personas, k)
		}
		c.Personas = kept
		return nil
	})
	return out, err
}

// SelectPersona activates the persona found by id, else by title, and deactivates the rest;
// with nothing matched it creates one from title, instructions, description and
// creativityLevel (created true), with the errors of SelectInstruction.
func (s *Store) SelectPersona(chatbotID string, in SelectInput) (out Persona, created bool, err error) {
	if in.ID == "" && instrBlank(in.Title) {
		return out, false, instrRequired("personaId or title is required", "personaId", "title")
	}
	err = s.withChatbot(chatbotID, func(c *Chatbot) error {
		title := ""
		if in.Title != nil {
			title = *in.Title
		}
		x, ok := findActivatable(s.idx.personaByTitle, c.ID, s.personaByIDLocked(c), in.ID, title)
		if !ok {
			if err := selectMiss(in, "instructions", "Persona not found", apierr.ResourceNotFound); err != nil {
				return err
			}
			if err := s.roomForPersonaLocked(c); err != nil {
				return err
			}
			x = s.newPersonaLocked(c, NewPersona{Title: title, Description: in.Description, Instructions: *in.Body, CreativityLevel: in.CreativityLevel})
			created = true
		}
		s.idx.activePersonas[c.ID] = activateOnly(s.idx.activePersonas[c.ID], x, s.now())
		out = clonePersona(x)
		return nil
	})
	return out, created, err
}

// PersonaPatch is a partial update of a persona; nil fields stay. ClearDescription sets the
// description to null.
type PersonaPatch struct {
	Title            *string
	Description      *string
	ClearDescription bool
	Instructions     *string
	CreativityLevel  *float64
}

// UpdatePersona changes a persona (404 RESOURCE_NOT_FOUND, 400 NO_VALID_FIELDS_TO_UPDATE).
func (s *Store) UpdatePersona(chatbotID, id string, in PersonaPatch) (Persona, error) {
	var out Persona
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		x, ok := s.personaByIDLocked(c)(id)
		if !ok {
			return apierr.New(apierr.ResourceNotFound, "Persona not found")
		}
		if in.Title == nil && in.Description == nil && !in.ClearDescription && in.Instructions == nil && in.CreativityLevel == nil {
			return apierr.New(apierr.NoValidFieldsToUpdate, "No valid fields to update")
		}
		if in.Title != nil && strings.TrimSpace(*in.Title) == "" {
			return instrInvalid("title", "title must not be empty")
		}
		if in.Instructions != nil && strings.TrimSpace(*in.Instructions) == "" {
			return instrInvalid("instructions", "instructions must not be empty")
		}
		if in.Title != nil {
			x.Title = strings.TrimSpace(*in.Title)
		}
		switch {
		case in.ClearDescription:
			x.Description = nil
		case in.Description != nil:
			x.Description = ptr(*in.Description)
		}
		if in.Instructions != nil {
			x.Instructions = *in.Instructions
		}
		if in.CreativityLevel != nil {
			x.CreativityLevel = *in.CreativityLevel
		}
		x.UpdatedAt = s.now()
		out = clonePersona(x)
		return nil
	})
	return out, err
}

func (s *Store) instructionByIDLocked(c *Chatbot) func(string) (*Instruction, bool) {
	return func(id string) (*Instruction, bool) {
		x, ok := s.idx.instructions[ownedKey{c.ID, id}]
		return x, ok
	}
}

func (s *Store) personaByIDLocked(c *Chatbot) func(string) (*Persona, bool) {
	return func(id string) (*Persona, bool) {
		x, ok := s.idx.personas[ownedKey{c.ID, id}]
		return x, ok
	}
}
