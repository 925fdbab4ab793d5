package ui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/journal"
	"github.com/contextgpt/sandbox/mock/store"
	"github.com/contextgpt/sandbox/mock/webhook"
)

// serveData answers the dashboard's read-only views.
func (h *Handler) serveData(w http.ResponseWriter, r *http.Request, name string) {
	q := r.URL.Query()
	switch name {
	case "requests":
		h.requests(w, q)
	case "accounts":
		offset, limit := intParam(q, "offset", 0, 0), intParam(q, "limit", 50, maxPage)
		list, total := h.cfg.Store.Accounts(q.Get("q"), offset, limit)
		writeJSON(w, http.StatusOK, map[string]any{"accounts": list, "total": total, "offset": offset})
	case "chatbots":
		bots := h.cfg.Store.AccountChatbots(q.Get("account"))
		out := make([]map[string]any, 0, len(bots))
		for _, c := range bots {
			out = append(out, map[string]any{"chatbotId": c.ID, "name": c.Name, "description": c.Description,
				"isActive": c.IsActive, "createdAt": c.CreatedAt, "updatedAt": c.UpdatedAt})
		}
		writeJSON(w, http.StatusOK, map[string]any{"chatbots": out, "total": len(out)})
	case "chatbot":
		c, ok := h.cfg.Store.Chatbot(q.Get("chatbot"))
		if !ok {
			jsonError(w, http.StatusNotFound, "NOT_FOUND", "no chatbot "+q.Get("chatbot"))
			return
		}
		writeJSON(w, http.StatusOK, c)
	case "threads":
		limit := intParam(q, "limit", 50, maxPage)
		if limit == 0 {
			limit = 50
		}
		page := intParam(q, "offset", 0, 0)/limit + 1
		p, err := h.cfg.Store.ListThreads(q.Get("chatbot"), store.ThreadFilter{}, page, limit)
		if err != nil {
			storeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"threads": p.Threads, "total": p.Total, "offset": (page - 1) * limit})
	case "messages":
		offset, limit := intParam(q, "offset", 0, 0), intParam(q, "limit", 100, maxPage)
		list, total, err := h.cfg.Store.PeekMessages(q.Get("chatbot"), q.Get("thread"), offset, limit)
		if err != nil {
			storeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"messages": list, "total": total, "offset": offset})
	case "deliveries":
		h.deliveries(w, q)
	case "sinks":
		writeJSON(w, http.StatusOK, map[string]any{"sinks": h.cfg.Sinks()})
	default:
		jsonError(w, http.StatusNotFound, "NOT_FOUND", "no dashboard view "+name)
	}
}

func storeError(w http.ResponseWriter, err error) {
	e := apierr.As(err)
	status := e.Status()
	if status < 400 || status >= 500 {
		status = http.StatusNotFound
	}
	jsonError(w, status, string(e.Code), e.Message)
}

// requestFilter selects journal entries (the dashboard's filters; all of them optional).
type requestFilter struct {
	method, status, op, path, account, text string
	errorsOnly                              bool
}

func (f requestFilter) pass(e *journal.Entry) bool {
	if f.method != "" && e.Method != f.method {
		return false
	}
	if f.status != "" {
		switch {
		case len(f.status) == 3 && strings.HasSuffix(f.status, "xx"):
			if strconv.Itoa(e.Status/100) != f.status[:1] {
				return false
			}
		default:
			if strconv.Itoa(e.Status) != f.status {
				return false
			}
		}
	}
	if f.errorsOnly && e.Status != 0 && e.Status < 400 {
		return false
	}
	if f.op != "" && (e.OperationID == nil || !containsFold(*e.OperationID, f.op)) {
		return false
	}
	if f.path != "" && !containsFold(e.Path, f.path) {
		return false
	}
	if f.account != "" && (e.AccountID == nil || *e.AccountID != f.account) {
		return false
	}
	if f.text != "" {
		hay := strings.ToLower(e.ID + " " + e.RequestID + " " + e.APIKey)
		if e.Error != nil {
			hay += " " + strings.ToLower(e.Error.Code+" "+e.Error.Message+" "+strings.Join(e.Error.Fields, " "))
		}
		if !strings.Contains(hay, f.text) {
			return false
		}
	}
	return true
}

// containsFold tells whether s contains the lower-case ASCII needle, ignoring ASCII case,
// without allocating.
func containsFold(s, needle string) bool {
	n := len(needle)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for ; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != needle[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}

// requests is one page of the journal, newest first, after the filters. The journal holds
// at most its capacity (10,000 by default), so a scan per poll is cheap; only the page is
// sent to the browser.
func (h *Handler) requests(w http.ResponseWriter, q url.Values) {
	f := requestFilter{
		method: strings.ToUpper(q.Get("method")), status: strings.ToLower(q.Get("status")),
		op: strings.ToLower(q.Get("op")), path: strings.ToLower(q.Get("path")), account: q.Get("account"),
		text: strings.ToLower(q.Get("q")), errorsOnly: q.Get("errors") != "",
	}
	offset, limit := intParam(q, "offset", 0, 0), intParam(q, "limit", 100, maxPage)
	page := []journal.Entry{}
	matched, journaled, latest := 0, 0, ""
	h.cfg.Journal.Scan(func(e *journal.Entry) bool {
		if journaled == 0 {
			latest = e.ID
		}
		journaled++
		if !f.pass(e) {
			return true
		}
		if matched >= offset && len(page) < limit {
			page = append(page, *e)
		}
		matched++
		return true
	})
	writeJSON(w, http.StatusOK, map[string]any{"requests": page, "total": matched, "journaled": journaled, "offset": offset, "latest": latest})
}

// deliveryView is a webhook delivery with the signature its body is sent with and its
// retry schedule.
type deliveryView struct {
	store.Delivery
	Signature string   `json:"signature,omitempty"`
	Schedule  []string `json:"schedule"`
}

func (h *Handler) deliveries(w http.ResponseWriter, q url.Values) {
	offset, limit := intParam(q, "offset", 0, 0), intParam(q, "limit", 50, maxPage)
	list, total := h.cfg.Store.RecentDeliveries(q.Get("chatbot"), offset, limit)
	schedule := make([]string, len(h.cfg.Retries))
	for i, d := range h.cfg.Retries {
		schedule[i] = d.String()
	}
	secrets := map[string]string{}
	out := make([]deliveryView, 0, len(list))
	for _, d := range list {
		v := deliveryView{Delivery: d, Schedule: schedule}
		secret, ok := secrets[d.ChatbotID]
		if !ok {
			if cfg, err := h.cfg.Store.Webhook(d.ChatbotID); err == nil && cfg.ID == d.ConfigID {
				secret = cfg.Secret
			}
			secrets[d.ChatbotID] = secret
		}
		if secret != "" {
			if body, err := json.Marshal(d.RequestPayload); err == nil {
				v.Signature = webhook.Sign(secret, body)
			}
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": out, "total": total, "offset": offset})
}
