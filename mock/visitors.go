package mock

import (
	"context"
	"net/http"
	"strings"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/reply"
	"github.com/contextgpt/sandbox/mock/store"
	"github.com/contextgpt/sandbox/mock/webhook"
	"github.com/contextgpt/sandbox/spec"
)

// visitorRuntime is what the simulated visitor needs besides the store: the reply engine
// (its index cache), the webhook dispatcher and the webhook sinks of the control plane.
type visitorRuntime struct {
	replies  *reply.Engine
	webhooks *webhook.Dispatcher
	sinks    *sinkSet
}

// startVisitors builds the reply engine, the sinks and the webhook dispatcher, subscribes
// the dispatcher to the store's events and makes Close stop it first (before anything that
// saves the state, so pending deliveries are recorded as such).
func (m *Mock) startVisitors() {
	v := &visitorRuntime{replies: reply.NewEngine(), sinks: newSinkSet()}
	v.webhooks = webhook.New(webhook.Config{Store: m.store, Clock: m.clock, Timeout: m.cfg.WebhookTimeout, Logger: m.log,
		Refuse: controlPlaneHopRefused})
	m.store.SetOnEvent(v.webhooks.Handle)
	m.visitors = v
	m.closers = append([]func(context.Context) error{v.webhooks.Close}, m.closers...)
	m.onReset = append(m.onReset, v.sinks.clear)
	// Deliveries a state file or a state import left unfinished go out again.
	m.onImport = append(m.onImport, func() { v.webhooks.Resume() })
	v.webhooks.Resume()
}

// writeStoreAdminError answers a store error on the control plane with its code and the
// code's status (404 for unknown chatbots and threads, 409 for lead collection off); the
// store's RESOURCE_NOT_FOUND is a thread here.
func writeStoreAdminError(w http.ResponseWriter, err error) {
	e := *apierr.As(err)
	if e.Code == apierr.ResourceNotFound {
		e.Code = apierr.ThreadNotFound
	}
	writeAdminErr(w, &e)
}

func (m *Mock) adminOpenVisitorThread(w http.ResponseWriter, r *http.Request, route *spec.Route) {
	var in struct {
		VisitorName    *string `json:"visitorName"`
		VisitorEmail   *string `json:"visitorEmail"`
		VisitorPhone   *string `json:"visitorPhone"`
		PlatformSource *string `json:"platformSource"`
	}
	if err := decodeAdmin(r, &in); err != nil {
		writeAdminError(w, apierr.InvalidRequest, err.Error())
		return
	}
	if in.VisitorEmail != nil && !store.ValidEmail(*in.VisitorEmail) {
		writeAdminError(w, apierr.InvalidRequest, "visitorEmail: not an e-mail address")
		return
	}
	t, starters, err := m.store.OpenVisitorThread(route.PathParams["chatbotId"], store.NewThread{VisitorName: in.VisitorName,
		VisitorEmail: in.VisitorEmail, VisitorPhone: in.VisitorPhone, PlatformSource: in.PlatformSource})
	if err != nil {
		writeStoreAdminError(w, err)
		return
	}
	out := make([]starterView, 0, len(starters))
	for _, s := range starters {
		out = append(out, viewStarter(s))
	}
	writeJSON(w, http.StatusCreated, map[string]any{"thread": viewThread(t), "conversationStarters": out})
}

// simulatedReply builds the AI reply of a visitor message from the chatbot's snippet,
// active persona and instruction, and general settings' fallback.
func (m *Mock) simulatedReply(v store.VisitorContext, message string) *store.VisitorReply {
	in := reply.Input{Knowledge: v.Knowledge, Message: message, SourceTitle: v.ChatbotName + " knowledge base",
		SourceURL: store.DashboardURL(v.ChatbotID, "text-snippet")}
	if v.Persona != nil {
		in.PersonaTitle, in.PersonaInstructions = v.Persona.Title, v.Persona.Instructions
	}
	if v.Instruction != nil {
		in.Instruction = v.Instruction.Instruction
	}
	if fb, ok := v.Settings["fallbackMessage"].(string); ok {
		in.Fallback = fb
	}
	r := m.visitors.replies.Reply(in)
	out := &store.VisitorReply{Content: r.Content, Sources: make([]store.MessageSource, 0, len(r.Sources))}
	for _, s := range r.Sources {
		out.Sources = append(out.Sources, store.MessageSource{Title: s.Title, URL: s.URL, Snippet: s.Snippet})
	}
	return out
}

func (m *Mock) adminSendVisitorMessage(w http.ResponseWriter, r *http.Request, route *spec.Route) {
	var in struct {
		Content string `json:"content"`
	}
	if err := decodeAdmin(r, &in); err != nil {
		writeAdminError(w, apierr.InvalidRequest, err.Error())
		return
	}
	if strings.TrimSpace(in.Content) == "" {
		writeAdminError(w, apierr.InvalidRequest, "content: must not be blank")
		return
	}
	botID, threadID := route.PathParams["chatbotId"], route.PathParams["threadId"]
	v, err := m.store.VisitorContextOf(botID, threadID)
	if err != nil {
		writeStoreAdminError(w, err)
		return
	}
	// Past the per-conversation cap the visitor is told to start a new conversation:
	// nothing is stored or charged.
	if err := v.ConversationLimitError(); err != nil {
		writeStoreAdminError(w, err)
		return
	}
	// A visitor escalates only when human support is enabled (settings present and on).
	turn := store.VisitorTurn{Content: in.Content, Escalate: v.HumanSupportOn() && store.WantsHuman(in.Content, v.HumanSupport, v.FollowUps)}
	if v.LeadCollection() {
		turn.Lead = store.FindContact(in.Content)
	}
	autoEscalate, _ := v.LeadSettings["autoEscalateOnLeadCapture"].(bool)
	escalates := turn.Escalate || (autoEscalate && v.HumanSupportOn() && !turn.Lead.Empty())
	aiReplies := 0
	if v.AIAnswers() && !escalates {
		turn.Reply = m.simulatedReply(v, in.Content)
		aiReplies = 1
	}
	if e := m.chargeMessages(v.AccountID, v.Plan, 1, aiReplies); e != nil {
		writeError(w, e)
		return
	}
	res, err := m.store.VisitorMessage(botID, threadID, turn)
	if err != nil {
		writeStoreAdminError(w, err)
		return
	}
	out := map[string]any{"message": viewMessage(res.Message), "reply": nil, "escalated": res.Escalated, "leadCaptured": res.Lead != nil}
	if res.Reply != nil {
		out["reply"] = viewMessage(*res.Reply)
	}
	fus := make([]followUpView, 0, len(res.FollowUps))
	for _, f := range res.FollowUps {
		fus = append(fus, viewFollowUp(f))
	}
	out["followUpPrompts"] = fus
	writeJSON(w, http.StatusCreated, out)
}

func (m *Mock) adminSubmitVisitorContact(w http.ResponseWriter, r *http.Request, route *spec.Route) {
	var in struct {
		Name  *string `json:"name"`
		Email *string `json:"email"`
		Phone *string `json:"phone"`
	}
	if err := decodeAdmin(r, &in); err != nil {
		writeAdminError(w, apierr.InvalidRequest, err.Error())
		return
	}
	lead := store.LeadInput{Name: in.Name, Email: in.Email, Phone: in.Phone}
	if lead.Empty() {
		writeAdminError(w, apierr.InvalidRequest, "send at least one of name, email and phone")
		return
	}
	if in.Email != nil && !store.ValidEmail(*in.Email) {
		writeAdminError(w, apierr.InvalidRequest, "email: not an e-mail address")
		return
	}
	l, err := m.store.VisitorContact(route.PathParams["chatbotId"], route.PathParams["threadId"], lead)
	if err != nil {
		writeStoreAdminError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"lead": leadView{ID: l.ID, ChatbotID: l.ChatbotID, ThreadID: l.ThreadID,
		VisitorID: l.VisitorID, Name: l.Name, Email: l.Email, Phone: l.Phone, CapturedAt: timestamp(l.CapturedAt)}})
}
