package mock

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/contextgpt/sandbox/mock/store"
)

// selectResult is the answer of a select: 200 for an existing item, 201 for a created one.
func selectResult(created bool, found, made string, data any) result {
	if created {
		return result{Status: http.StatusCreated, Message: made, Data: data}
	}
	return result{Message: found, Data: data}
}

func (m *Mock) getInstructions(c *call) (result, error) {
	list, err := m.store.Instructions(c.param("chatbotId"))
	if err != nil {
		return result{}, err
	}
	views := make([]instructionView, 0, len(list))
	for _, x := range list {
		views = append(views, viewInstruction(x))
	}
	return result{Message: "Instruction settings fetched successfully", Data: views}, nil
}

func (m *Mock) createInstruction(c *call) (result, error) {
	var in struct {
		Title           string   `json:"title"`
		Instruction     string   `json:"instruction"`
		CreativityLevel *float64 `json:"creativityLevel"`
		Deletable       *bool    `json:"deletable"`
		IsActive        *bool    `json:"isActive"`
	}
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	x, err := m.store.CreateInstruction(c.param("chatbotId"), store.NewInstruction{Title: in.Title, Instruction: in.Instruction,
		CreativityLevel: in.CreativityLevel, Deletable: in.Deletable, IsActive: in.IsActive})
	if err != nil {
		return result{}, err
	}
	return result{Status: http.StatusCreated, Message: "Instruction settings created successfully", Data: viewInstruction(x)}, nil
}

func (m *Mock) deleteInstruction(c *call) (result, error) {
	out, err := m.store.DeleteInstructions(c.param("chatbotId"), c.query["instructionId"])
	if err != nil {
		return result{}, err
	}
	return result{Message: "Instructions deleted successfully", Data: viewDeleteOutcome(out)}, nil
}

func (m *Mock) selectInstruction(c *call) (result, error) {
	var in struct {
		InstructionID string  `json:"instructionId"`
		Title         *string `json:"title"`
		Instruction   *string `json:"instruction"`
		// Not in the reference's select body; taken when a set is created, as create does.
		CreativityLevel *float64 `json:"creativityLevel"`
	}
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	x, created, err := m.store.SelectInstruction(c.param("chatbotId"), store.SelectInput{ID: in.InstructionID, Title: in.Title,
		Body: in.Instruction, CreativityLevel: in.CreativityLevel})
	if err != nil {
		return result{}, err
	}
	return selectResult(created, "Instruction found and set as active", "Instruction created and set as active", viewInstruction(x)), nil
}

func (m *Mock) updateInstruction(c *call) (result, error) {
	var in struct {
		Title           *string  `json:"title"`
		Instruction     *string  `json:"instruction"`
		CreativityLevel *float64 `json:"creativityLevel"`
		Deletable       *bool    `json:"deletable"`
		IsActive        *bool    `json:"isActive"`
	}
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	x, err := m.store.UpdateInstruction(c.param("chatbotId"), c.param("instructionId"), store.InstructionPatch{Title: in.Title,
		Instruction: in.Instruction, CreativityLevel: in.CreativityLevel, Deletable: in.Deletable, IsActive: in.IsActive})
	if err != nil {
		return result{}, err
	}
	return result{Message: "Instruction settings updated successfully", Data: viewInstruction(x)}, nil
}

func (m *Mock) getPersonas(c *call) (result, error) {
	list, err := m.store.Personas(c.param("chatbotId"))
	if err != nil {
		return result{}, err
	}
	views := make([]personaView, 0, len(list))
	for _, x := range list {
		views = append(views, viewPersona(x))
	}
	return result{Message: "Personas fetched successfully", Data: views}, nil
}

func (m *Mock) createPersona(c *call) (result, error) {
	var in struct {
		Title           string   `json:"title"`
		Description     *string  `json:"description"`
		Instructions    string   `json:"instructions"`
		CreativityLevel *float64 `json:"creativityLevel"`
	}
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	x, err := m.store.CreatePersona(c.param("chatbotId"), store.NewPersona{Title: in.Title, Description: in.Description,
		Instructions: in.Instructions, CreativityLevel: in.CreativityLevel})
	if err != nil {
		return result{}, err
	}
	return result{Status: http.StatusCreated, Message: "Persona created successfully", Data: viewPersona(x)}, nil
}

func (m *Mock) deletePersona(c *call) (result, error) {
	out, err := m.store.DeletePersonas(c.param("chatbotId"), c.query["personaId"])
	if err != nil {
		return result{}, err
	}
	return result{Message: "Personas deleted successfully", Data: viewDeleteOutcome(out)}, nil
}

func (m *Mock) selectPersona(c *call) (result, error) {
	var in struct {
		PersonaID string  `json:"personaId"`
		Title     *string `json:"title"`
		// Name is the reference's word for the title in select-persona's description
		// ("personaId or name is required"); title wins when both are sent.
		Name            *string  `json:"name"`
		Description     *string  `json:"description"`
		Instructions    *string  `json:"instructions"`
		CreativityLevel *float64 `json:"creativityLevel"`
	}
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	if in.Title == nil {
		in.Title = in.Name
	}
	// Creation data, as documented: a name with instructions, or a name with a description
	// (the description then serves as the instructions).
	if in.Instructions == nil || strings.TrimSpace(*in.Instructions) == "" {
		if in.Description != nil && strings.TrimSpace(*in.Description) != "" {
			in.Instructions = in.Description
		}
	}
	x, created, err := m.store.SelectPersona(c.param("chatbotId"), store.SelectInput{ID: in.PersonaID, Title: in.Title,
		Body: in.Instructions, Description: in.Description, CreativityLevel: in.CreativityLevel})
	if err != nil {
		return result{}, err
	}
	return selectResult(created, "Persona selected successfully", "Persona created and set as active", viewPersona(x)), nil
}

func (m *Mock) updatePersona(c *call) (result, error) {
	var in struct {
		Title           *string  `json:"title"`
		Description     *string  `json:"description"`
		Instructions    *string  `json:"instructions"`
		CreativityLevel *float64 `json:"creativityLevel"`
	}
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	raw, err := c.fields()
	if err != nil {
		return result{}, err
	}
	d, sent := raw["description"]
	clearDesc := sent && bytes.Equal(bytes.TrimSpace(d), []byte("null"))
	x, err := m.store.UpdatePersona(c.param("chatbotId"), c.param("personaId"), store.PersonaPatch{Title: in.Title,
		Description: in.Description, ClearDescription: clearDesc, Instructions: in.Instructions, CreativityLevel: in.CreativityLevel})
	if err != nil {
		return result{}, err
	}
	return result{Message: "Persona updated successfully", Data: viewPersona(x)}, nil
}
