package store

import (
	"strings"
	"time"

	"github.com/contextgpt/sandbox/mock/apierr"
)

// defaultCreativity is the documented default creativityLevel of instructions and personas.
const defaultCreativity = 0.5

// activatable is an instruction set or a persona as the shared select rules see it: at most
// one per chatbot is active.
type activatable interface {
	comparable
	itemID() string
	itemTitle() string
	itemActive() bool
	itemDeletable() bool
	setActive(active bool, now time.Time)
}

func (x *Instruction) itemID() string {
	return x.ID
}

func (x *Instruction) itemTitle() string {
	if x.Title == nil {
		return ""
	}
	return *x.Title
}

func (x *Instruction) itemActive() bool    { return x.IsActive }
func (x *Instruction) itemDeletable() bool { return x.Deletable }
func (x *Instruction) setActive(active bool, now time.Time) {
	if x.IsActive != active {
		x.IsActive, x.UpdatedAt = active, now
	}
}

func (x *Persona) itemID() string      { return x.ID }
func (x *Persona) itemTitle() string   { return x.Title }
func (x *Persona) itemActive() bool    { return x.IsActive }
func (x *Persona) itemDeletable() bool { return x.Deletable }
func (x *Persona) setActive(active bool, now time.Time) {
	if x.IsActive != active {
		x.IsActive, x.UpdatedAt = active, now
	}
}

// activateOnly makes x the only active item: it deactivates the active ones (the store
// keeps them, normally one, so this does not walk the list) and returns the new active set.
func activateOnly[T activatable](active []T, x T, now time.Time) []T {
	for _, o := range active {
		if o != x {
			o.setActive(false, now)
		}
	}
	x.setActive(true, now)
	return []T{x}
}

// withoutItem is active without x.
func withoutItem[T activatable](active []T, x T) []T {
	out := active[:0:0]
	for _, o := range active {
		if o != x {
			out = append(out, o)
		}
	}
	return out
}

// activeFirst copies a list in creation order with the active item moved to the front.
func activeFirst[T activatable](list []T) []T {
	out := make([]T, 0, len(list))
	for _, x := range list {
		if x.itemActive() {
			out = append(out, x)
		}
	}
	for _, x := range list {
		if !x.itemActive() {
			out = append(out, x)
		}
	}
	return out
}

// findActivatable finds by id when id is given (byID, O(1)), else (or when the id matches
// nothing) by title, compared without surrounding blanks and case; the first created wins
// (byTitle: the chatbot's title index, O(1)).
func findActivatable[T activatable](byTitle map[titleKey][]titled[T], chatbotID string, byID func(string) (T, bool), id, title string) (T, bool) {
	if id != "" {
		if x, ok := byID(id); ok {
			return x, true
		}
	}
	if k := (titleKey{chatbotID, foldName(title)}); k.title != "" {
		if list := byTitle[k]; len(list) > 0 {
			return list[0].x, true
		}
	}
	var zero T
	return zero, false
}

// deleteActivatable removes the named items that exist and are deletable. Unknown and
// non-deletable ids go to FailedIDs; when none of the ids exists it is 404
// RESOURCE_NOT_FOUND.
func deleteActivatable[T activatable](list []T, byID func(string) (T, bool), ids []string, what string) ([]T, DeleteOutcome, error) {
	out := DeleteOutcome{DeletedIDs: []string{}, FailedIDs: []string{}}
	drop := map[string]bool{}
	found := 0
	for _, id := range pairUniqueIDs(ids) {
		x, ok := byID(id)
		switch {
		case !ok:
			out.FailedIDs = append(out.FailedIDs, id)
		case !x.itemDeletable():
			found++
			out.FailedIDs = append(out.FailedIDs, id)
		default:
			found++
			drop[id] = true
			out.DeletedIDs = append(out.DeletedIDs, id)
		}
	}
	if found == 0 {
		return list, out, apierr.New(apierr.ResourceNotFound, "No %s found with the given ids", what).
			WithDetails(map[string]any{"failedIds": out.FailedIDs})
	}
	kept := make([]T, 0, len(list)-len(drop))
	for _, x := range list {
		if !drop[x.itemID()] {
			kept = append(kept, x)
		}
	}
	return kept, out, nil
}

// instrRequired is a 400 MISSING_REQUIRED_FIELD naming the fields.
func instrRequired(msg string, fields ...string) *apierr.Error {
	e := &apierr.Error{Code: apierr.MissingRequiredField, Message: msg}
	for _, f := range fields {
		e.Fields = append(e.Fields, apierr.FieldError{Path: []any{f}, Message: f + " is required"})
	}
	return e
}

func instrBlank(p *string) bool { return p == nil || strings.TrimSpace(*p) == "" }

func cloneInstruction(x *Instruction) Instruction {
	out := *x
	out.Title = clonePtr(x.Title)
	return out
}

func clonePersona(x *Persona) Persona {
	out := *x
	out.Description = clonePtr(x.Description)
	return out
}

// SelectInput names the instruction set or persona to activate, or describes the one to
// create when nothing matches: Body is `instruction` or `instructions`.
type SelectInput struct {
	ID              string
	Title           *string
	Body            *string
	Description     *string // personas only
	CreativityLevel *float64
}

// Instructions lists the chatbot's instruction sets, the active one first, the rest in
// creation order: 404 RESOURCE_NOT_FOUND while it has none.
func (s *Store) Instructions(chatbotID string) ([]Instruction, error) {
	var out []Instruction
	err := s.readChatbot(chatbotID, func(c *Chatbot) error {
		if len(c.Instructions) == 0 {
			return apierr.New(apierr.ResourceNotFound, "Instruction settings not found, create one first")
		}
		out = make([]Instruction, 0, len(c.Instructions))
		for _, x := range activeFirst(c.Instructions) {
			out = append(out, cloneInstruction(x))
		}
		return nil
	})
	return out, err
}

// NewInstruction is the input of CreateInstruction; nil fields take their defaults
// (creativityLevel 0.5, deletable true, isActive false).
type NewInstruction struct {
	Title           string
	Instruction     string
	CreativityLevel *float64
	Deletable       *bool
	IsActive        *bool
}

// CreateInstruction adds an instruction set; an active one deactivates the others.
func (s *Store) CreateInstruction(chatbotID string, in NewInstruction) (Instruction, error) {
	var out Instruction
	if err := checkInstructionFields(&in.Title, &in.Instruction); err != nil {
		return out, err
	}
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		if err := s.roomForInstructionLocked(c); err != nil {
			return err
		}
		x := s.newInstructionLocked(c, in)
		if x.IsActive {
			s.idx.activeInstr[c.ID] = activateOnly(s.idx.activeInstr[c.ID], x, x.CreatedAt)
		}
		out = cloneInstruction(x)
		return nil
	})
	return out, err
}

func checkInstructionFields(title, instruction *string) error {
	var missing []string
	if instrBlank(title) {
		missing = append(missing, "title")
	}
	if instrBlank(instruction) {
		missing = append(missing, "instruction")
	}
	if len(missing) > 0 {
		return instrRequired(strings.Join(missing, " and ")+" required", missing...)
	}
	return nil
}

func (s *Store) newInstructionLocked(c *Chatbot, in NewInstruction) *Instruction {
	now := s.now()
	x := &Instruction{ID: s.ids.uuid(), ChatbotID: c.ID, Title: ptr(strings.TrimSpace(in.Title)), Instruction: in.Instruction,
		CreativityLevel: defaultCreativity, Deletable: true, CreatedAt: now, UpdatedAt: now}
	if in.CreativityLevel != nil {
		x.CreativityLevel = *in.CreativityLevel
	}
	if in.Deletable != nil {
		x.Deletable = *in.Deletable
	}
	if in.IsActive != nil {
		x.IsActive = *in.IsActive
	}
	c.Instructions = append(c.Instructions, x)
	s.idx.instructions[ownedKey{c.ID, x.ID}] = x
	addTitled(s.idx.instrByTitle, c.ID, x, s.nextTitleOrd())
	return x
}

// DeleteInstructions deletes the named instruction sets; unknown and non-deletable ids go
// to FailedIDs; 404 RESOURCE_NOT_FOUND when none of them exists.
func (s *Store) DeleteInstructions(chatbotID string, ids []string) (DeleteOutcome, error) {
	var out DeleteOutcome
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		kept, res, err := deleteActivatable(c.Instructions, s.instructionByIDLocked(c), ids, "instruction settings")
		out = res
		if err != nil {
			return err
		}
		for _, id := range res.DeletedIDs {
			k := ownedKey{c.ID, id}
			s.idx.activeInstr[c.ID] = withoutItem(s.idx.activeInstr[c.ID], s.idx.instructions[k])
			removeTitled(s.idx.instrByTitle, c.ID, s.idx.instructions[k])
			delete(s.idx.instructions, k)
		}
		c.Instructions = kept
		return nil
	})
	return out, err
}

// SelectInstruction activates the set found by id, else by title, and deactivates the
// rest. When nothing matches and title and instruction are given, it creates the set
// active (created true). Neither id nor title: 400 MISSING_REQUIRED_FIELD; a title that
// matches nothing without an instruction to create it: 400 MISSING_REQUIRED_FIELD; an id
// alone that matches nothing: 404 RESOURCE_NOT_FOUND.
func (s *Store) SelectInstruction(chatbotID string, in SelectInput) (out Instruction, created bool, err error) {
	if in.ID == "" && instrBlank(in.Title) {
		return out, false, instrRequired("instructionId or title is required", "instructionId", "title")
	}
	if in.CreativityLevel != nil && (*in.CreativityLevel < 0 || *in.CreativityLevel > 1) {
		return out, false, instrInvalid("creativityLevel", "creativityLevel must be between 0 and 1")
	}
	err = s.withChatbot(chatbotID, func(c *Chatbot) error {
		title := ""
		if in.Title != nil {
			title = *in.Title
		}
		x, ok := findActivatable(s.idx.instrByTitle, c.ID, s.instructionByIDLocked(c), in.ID, title)
		if !ok {
			if err := selectMiss(in, "instruction", "Instruction not found", apierr.MissingRequiredField); err != nil {
				return err
			}
			if err := s.roomForInstructionLocked(c); err != nil {
				return err
			}
			x = s.newInstructionLocked(c, NewInstruction{Title: title, Instruction: *in.Body, CreativityLevel: in.CreativityLevel})
			created = true
		}
		s.idx.activeInstr[c.ID] = activateOnly(s.idx.activeInstr[c.ID], x, s.now())
		out = cloneInstruction(x)
		return nil
	})
	return out, created, err
}

// selectMiss decides what a select that matched nothing answers: nil when it may create;
// without creation data notFoundCode (select-persona documents 404 RESOURCE_NOT_FOUND;
// select-instruction documents only 200, 201 and 400, so MISSING_REQUIRED_FIELD there).
func selectMiss(in SelectInput, bodyField, notFound, notFoundCode string) error {
	switch {
	case !instrBlank(in.Title) && !instrBlank(in.Body):
		return nil
	case instrBlank(in.Title) && notFoundCode == apierr.MissingRequiredField:
		return instrRequired(notFound+"; title and "+bodyField+" are required to create one", "title", bodyField)
	case instrBlank(in.Title) || notFoundCode != apierr.MissingRequiredField:
		return apierr.New(notFoundCode, "%s", notFound)
	default:
		return instrRequired(notFound+"; "+bodyField+" is required to create it", bodyField)
	}
}

// InstructionPatch is a partial update of an instruction set; nil fields stay.
type InstructionPatch struct {
	Title           *string
	Instruction     *string
	CreativityLevel *float64
	Deletable       *bool
	IsActive        *bool
}

// UpdateInstruction changes an instruction set (404 RESOURCE_NOT_FOUND, 400
// NO_VALID_FIELDS_TO_UPDATE); isActive true deactivates the others.
func (s *Store) UpdateInstruction(chatbotID, id string, in InstructionPatch) (Instruction, error) {
	var out Instruction
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		x, ok := s.instructionByIDLocked(c)(id)
		if !ok {
			return apierr.New(apierr.ResourceNotFound, "Instruction not found")
		}
		if in.Title == nil && in.Instruction == nil && in.CreativityLevel == nil && in.Deletable == nil && in.IsActive == nil {
			return apierr.New(apierr.NoValidFieldsToUpdate, "No valid fields to update")
		}
		if in.Title != nil && strings.TrimSpace(*in.Title) == "" {
			return instrInvalid("title", "title must not be empty")
		}
		if in.Instruction != nil && strings.TrimSpace(*in.Instruction) == "" {
			return instrInvalid("instruction", "instruction must not be empty")
		}
		now := s.now()
		if in.Title != nil {
			ord := removeTitled(s.idx.instrByTitle, c.ID, x)
			x.Title = ptr(strings.TrimSpace(*in.Title))
			addTitled(s.idx.instrByTitle, c.ID, x, ord)
		}
		if in.Instruction != nil {
			x.Instruction = *in.Instruction
		}
		if in.CreativityLevel != nil {
			x.CreativityLevel = *in.CreativityLevel
		}
		if in.Deletable != nil {
			x.Deletable = *in.Deletable
		}
		if in.IsActive != nil {
			if *in.IsActive {
				s.idx.activeInstr[c.ID] = activateOnly(s.idx.activeInstr[c.ID], x, now)
			} else {
				x.IsActive = false
				s.idx.activeInstr[c.ID] = withoutItem(s.idx.activeInstr[c.ID], x)
			}
		}
		x.UpdatedAt = now
		out = cloneInstruction(x)
		return nil
	})
	return out, err
}

func instrInvalid(field, msg string) *apierr.Error {
	return &apierr.Error{Code: apierr.InvalidFieldValue, Message: msg,
		Fields: []apierr.FieldError{{Path: []any{field}, Message: msg}}}
}
