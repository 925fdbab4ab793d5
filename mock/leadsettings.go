package mock

import (
	"net/http"
)

func (m *Mock) getLeadSettings(c *call) (result, error) {
	d, err := m.store.LeadSettings(c.param("chatbotId"))
	if err != nil {
		return result{}, err
	}
	return result{Message: "Lead settings fetched successfully", Data: d}, nil
}

// createLeadSettings creates them once; the body is optional and fields left out take the
// LeadSettings schema's defaults.
func (m *Mock) createLeadSettings(c *call) (result, error) {
	fields, err := declaredFields(c)
	if err != nil {
		return result{}, err
	}
	d, err := m.store.CreateLeadSettings(c.param("chatbotId"), m.defaultsFor("LeadSettings"), fields)
	if err != nil {
		return result{}, err
	}
	return result{Status: http.StatusCreated, Message: "Lead settings created successfully", Data: d}, nil
}

func (m *Mock) updateLeadSettings(c *call) (result, error) {
	fields, err := declaredFields(c)
	if err != nil {
		return result{}, err
	}
	d, err := m.store.UpdateLeadSettings(c.param("chatbotId"), fields)
	if err != nil {
		return result{}, err
	}
	return result{Message: "Lead settings updated successfully", Data: d}, nil
}

func (m *Mock) deleteLeadSettings(c *call) (result, error) {
	d, err := m.store.DeleteLeadSettings(c.param("chatbotId"))
	if err != nil {
		return result{}, err
	}
	return result{Message: "Lead settings deleted successfully", Data: d}, nil
}

func (m *Mock) getHumanSupportSettings(c *call) (result, error) {
	d, err := m.store.HumanSupportSettings(c.param("chatbotId"))
	if err != nil {
		return result{}, err
	}
	return result{Message: "Human support settings fetched successfully", Data: d}, nil
}

func (m *Mock) createHumanSupportSettings(c *call) (result, error) {
	fields, err := declaredFields(c)
	if err != nil {
		return result{}, err
	}
	d, err := m.store.CreateHumanSupportSettings(c.param("chatbotId"), m.defaultsFor("HumanSupportSettings"), fields)
	if err != nil {
		return result{}, err
	}
	return result{Status: http.StatusCreated, Message: "Human support settings created successfully", Data: d}, nil
}

func (m *Mock) updateHumanSupportSettings(c *call) (result, error) {
	fields, err := declaredFields(c)
	if err != nil {
		return result{}, err
	}
	d, err := m.store.UpdateHumanSupportSettings(c.param("chatbotId"), fields)
	if err != nil {
		return result{}, err
	}
	return result{Message: "Human support settings updated successfully", Data: d}, nil
}
