package mock

import (
	"net/http"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/store"
	"github.com/contextgpt/sandbox/spec"
)

// The control plane's membership helpers: a user with a role in an account (with its API
// key), and a user's role on a chatbot. Membership is per chatbot, as the reference says.

// writeMemberError answers a store error of the membership helpers with its code.
func writeMemberError(w http.ResponseWriter, err error) {
	writeAdminErr(w, apierr.As(err))
}

func (m *Mock) adminAddAccountUser(w http.ResponseWriter, r *http.Request, route *spec.Route) {
	var in struct {
		Role  string `json:"role"`
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	if err := decodeAdmin(r, &in); err != nil {
		writeAdminError(w, apierr.InvalidRequest, err.Error())
		return
	}
	role, err := store.ParseRole(in.Role)
	if err != nil {
		writeAdminError(w, apierr.InvalidRequest, "role: "+err.Error()+"; want SUPER_ADMIN, ADMIN, EDITOR or AGENT")
		return
	}
	u, err := m.store.AddAccountUser(route.PathParams["accountId"], role, in.Name, in.Email)
	if err != nil {
		writeMemberError(w, err)
		return
	}
	m.myChatbots.clear()
	writeJSON(w, http.StatusCreated, u)
}

func (m *Mock) adminSetChatbotMember(w http.ResponseWriter, r *http.Request, route *spec.Route) {
	var in struct {
		Role *string `json:"role"`
	}
	if err := decodeAdmin(r, &in); err != nil {
		writeAdminError(w, apierr.InvalidRequest, err.Error())
		return
	}
	var role *store.Role
	if in.Role != nil {
		rl, err := store.ParseRole(*in.Role)
		if err != nil || rl == store.RoleSuperAdmin {
			writeAdminError(w, apierr.InvalidRequest, "role: want ADMIN, EDITOR or AGENT (a SUPER_ADMIN reaches every chatbot of its account already)")
			return
		}
		role = &rl
	}
	bot, user := route.PathParams["chatbotId"], route.PathParams["userId"]
	got, err := m.store.SetChatbotMember(bot, user, role)
	if err != nil {
		writeMemberError(w, err)
		return
	}
	m.myChatbots.clear()
	writeJSON(w, http.StatusOK, map[string]string{"chatbotId": bot, "userId": user, "role": string(got)})
}

func (m *Mock) adminRemoveChatbotMember(w http.ResponseWriter, _ *http.Request, route *spec.Route) {
	if err := m.store.RemoveChatbotMember(route.PathParams["chatbotId"], route.PathParams["userId"]); err != nil {
		writeMemberError(w, err)
		return
	}
	m.myChatbots.clear()
	w.WriteHeader(http.StatusNoContent)
}

func (m *Mock) adminClearMyChatbotsCache(w http.ResponseWriter, _ *http.Request, _ *spec.Route) {
	m.myChatbots.clear()
	w.WriteHeader(http.StatusNoContent)
}
