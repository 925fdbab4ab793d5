package mock

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/store"
)

func (m *Mock) listThreads(c *call) (result, error) {
	page, limit, err := pageParams(c)
	if err != nil {
		return result{}, err
	}
	var f store.ThreadFilter
	if v := c.query.Get("mode"); v != "" {
		mode := v // declared here, so the heap copy is made only when the filter is given
		f.Mode = &mode
	}
	if v := c.query.Get("llmModelId"); v != "" {
		model := v
		f.LLMModelID = &model
	}
	for _, name := range threadFlagParams {
		if _, ok := c.query[name]; !ok {
			continue
		}
		b, err := strconv.ParseBool(c.query.Get(name))
		if err != nil {
			return result{}, &apierr.Error{Code: apierr.RequestValidationFailed, Message: name + " must be true or false",
				Fields: []apierr.FieldError{{Path: []any{name}, Message: "must be a boolean"}}}
		}
		setThreadFlag(&f, name, b)
	}
	// The threads are written out under the store's read lock, straight from its records
	// (ListThreadsFunc): no copy of each thread is made for a list answer.
	bp := getBytes()
	*bp = beginThreadPage(*bp)
	n := 0
	total, err := m.store.ListThreadsFunc(c.access.ChatbotID, f, page, limit, func(t *store.Thread) {
		if n > 0 {
			*bp = append(*bp, ',')
		}
		*bp = appendThreadJSON(*bp, t)
		n++
	})
	if err != nil {
		putBytes(bp)
		return result{}, err
	}
	*bp = endThreadPage(*bp, newPageInfo(page, limit, total))
	return result{Message: "Threads fetched successfully", Data: encodedData{bp}}, nil
}

// threadFlagParams are listThreads' boolean filters (a list, not a map built for each
// request); setThreadFlag sets the one named.
var threadFlagParams = []string{"resolved", "archived", "escalated", "important", "anonymous"}

func setThreadFlag(f *store.ThreadFilter, name string, v bool) {
	p := &v
	switch name {
	case "resolved":
		f.Resolved = p
	case "archived":
		f.Archived = p
	case "escalated":
		f.Escalated = p
	case "important":
		f.Important = p
	case "anonymous":
		f.Anonymous = p
	}
}

type threadListData struct {
	Threads    []threadView `json:"threads"`
	Pagination pageInfo     `json:"pagination"`
}

type threadData struct {
	Thread threadView `json:"thread"`
}

func (m *Mock) createThread(c *call) (result, error) {
	var in struct {
		Title          *string `json:"title"`
		VisitorName    *string `json:"visitorName"`
		VisitorEmail   *string `json:"visitorEmail"`
		VisitorPhone   *string `json:"visitorPhone"`
		Anonymous      *bool   `json:"anonymous"`
		PlatformSource *string `json:"platformSource"`
	}
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	t, err := m.store.CreateThread(c.access.ChatbotID, store.NewThread{Title: in.Title, VisitorName: in.VisitorName,
		VisitorEmail: in.VisitorEmail, VisitorPhone: in.VisitorPhone, Anonymous: in.Anonymous, PlatformSource: in.PlatformSource})
	if err != nil {
		return result{}, err
	}
	bp := getBytes()
	*bp = threadJSON{thread: t}.appendJSON(*bp)
	return result{Status: http.StatusCreated, Message: "Thread created successfully", Data: encodedData{bp}}, nil
}

func (m *Mock) getThreadDetails(c *call) (result, error) {
	d, err := m.store.ThreadDetails(c.access.ChatbotID, c.param("threadId"))
	if err != nil {
		return result{}, err
	}
	return result{Message: "Thread details fetched successfully", Data: map[string]any{"thread": viewThreadDetails(d)}}, nil
}

func (m *Mock) updateThreadStatus(c *call) (result, error) {
	var items []store.ThreadUpdate
	if err := json.Unmarshal(c.body, &items); err != nil {
		return result{}, &apierr.Error{Code: apierr.RequestValidationFailed, Message: "Request body must be an array of thread updates",
			Fields: []apierr.FieldError{{Path: []any{}, Message: err.Error()}}}
	}
	threads, err := m.store.UpdateThreads(c.access.ChatbotID, items)
	if err != nil {
		return result{}, err
	}
	out := make([][]threadView, len(threads))
	for i, t := range threads {
		out[i] = []threadView{viewThread(t)}
	}
	return result{Message: "Thread statuses updated successfully", Data: map[string]any{"updatedThreads": out}}, nil
}

func (m *Mock) updateEscalatedToggle(c *call) (result, error) {
	t, msg, err := m.store.ToggleEscalation(c.access.ChatbotID, c.param("threadId"))
	if err != nil {
		return result{}, err
	}
	text := "Thread de-escalated successfully"
	if t.Escalated {
		text = "Thread escalated to agent successfully"
	}
	return result{Message: text, Data: map[string]any{"thread": viewThread(t), "systemMessage": viewMessage(msg)}}, nil
}

// starterObject is a conversation starter as the ConversationStarter schema shows it.
func starterObject(s store.Starter) map[string]any {
	return map[string]any{"id": s.ID, "chatbotId": s.ChatbotID, "rank": s.Rank, "buttonTitle": s.ButtonTitle,
		"buttonMessage": s.ButtonMessage, "linkText": s.LinkText, "linkSrc": s.LinkSrc,
		"createdAt": timestamp(s.CreatedAt), "updatedAt": timestamp(s.UpdatedAt)}
}

// followUpObject is a follow-up prompt as the FollowUpPrompt schema shows it.
func followUpObject(f store.FollowUp) map[string]any {
	return map[string]any{"id": f.ID, "chatbotId": f.ChatbotID, "rank": f.Rank, "esclate": f.Esclate,
		"buttonTitle": f.ButtonTitle, "buttonMessage": f.ButtonMessage, "linkText": f.LinkText, "linkSrc": f.LinkSrc,
		"createdAt": timestamp(f.CreatedAt), "updatedAt": timestamp(f.UpdatedAt)}
}

func (m *Mock) resetConversation(c *call) (result, error) {
	r, err := m.store.ResetConversation(c.access.ChatbotID, c.param("threadId"))
	if err != nil {
		return result{}, err
	}
	starters := make([]map[string]any, len(r.Starters))
	for i, s := range r.Starters {
		starters[i] = starterObject(s)
	}
	prompts := make([]map[string]any, len(r.FollowUps))
	for i, f := range r.FollowUps {
		prompts[i] = followUpObject(f)
	}
	return result{Status: http.StatusCreated, Message: "Conversation reset successfully. New thread created.", Data: map[string]any{
		"newThread": viewThread(r.NewThread), "oldThreadId": r.OldThreadID,
		"conversationStarters": starters, "followupPrompts": prompts,
	}}, nil
}

// timestampPtr formats an optional time; nil stays null.
func timestampPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := timestamp(*t)
	return &s
}
