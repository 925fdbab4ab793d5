package store

import (
	"strings"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/plans"
)

func hasAddon(a *Account, addon string) bool {
	for _, x := range a.Addons {
		if x == addon {
			return true
		}
	}
	return false
}

// chatbotRole is a user's role on a chatbot of an account where its role is accountRole:
// a SUPER_ADMIN has its role on every chatbot of the account; any other member has the
// role it was given on that chatbot, and none on the others.
func chatbotRole(u *User, accountRole Role, chatbotID string) (Role, bool) {
	if accountRole == RoleSuperAdmin {
		return RoleSuperAdmin, true
	}
	r, ok := u.ChatbotRoles[chatbotID]
	return r, ok
}

func notChatbotMember(chatbotID string) *apierr.Error {
	return apierr.New(apierr.ChatbotFetchForbidden, "You are not a member of this chatbot").
		WithDetails(map[string]any{"chatbotId": chatbotID})
}

// AccountChatbotAccess checks a route that names both an account and one of its
// chatbots: the caller is a member of the account (403 CHATBOT_FETCH_FORBIDDEN for any
// other, unknown or not), the chatbot is the account's (404 CHATBOT_NOT_FOUND), the
// caller was added to it (403 CHATBOT_FETCH_FORBIDDEN), and its role there holds perm.
func (s *Store) AccountChatbotAccess(p Principal, accountID, chatbotID string, perm Permission) (Access, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[accountID]
	if !ok {
		return Access{}, noAccountAccess()
	}
	accRole, err := s.roleLocked(p, accountID)
	if err != nil {
		return Access{}, noAccountAccess()
	}
	c, ok := s.chatbots[chatbotID]
	if !ok || c.AccountID != accountID {
		return Access{}, apierr.New(apierr.ChatbotNotFound, "Chatbot not found")
	}
	role, ok := chatbotRole(s.users[p.UserID], accRole, chatbotID)
	if !ok {
		return Access{}, notChatbotMember(chatbotID)
	}
	if perm != "" && !role.Can(perm) {
		return Access{}, permissionError(perm, role)
	}
	return Access{ChatbotID: chatbotID, AccountID: accountID, Role: role, Plan: a.Plan}, nil
}

// AccountUser is a user the control plane added to an account, with its API key.
type AccountUser struct {
	AccountID string `json:"accountId"`
	UserID    string `json:"userId"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Role      Role   `json:"role"`
	APIKey    string `json:"apiKey"`
}

// AddAccountUser adds a new user with a role to an account and issues it an API key (the
// control plane's way to test roles). A member other than SUPER_ADMIN reaches no chatbot
// until it is added to one (SetChatbotMember).
func (s *Store) AddAccountUser(accountID string, role Role, name, email string) (AccountUser, error) {
	var out AccountUser
	err := s.update(func() error {
		if _, ok := s.accounts[accountID]; !ok {
			return apierr.New(apierr.AccountNotFound, "account %s not found", accountID)
		}
		now := s.now()
		u := &User{ID: s.freshNumericLocked(), Name: name, Email: email, Memberships: map[string]Role{accountID: role}, CreatedAt: now}
		if u.Name == "" {
			u.Name = strings.ToLower(string(role)) + " " + u.ID[len(u.ID)-8:]
		}
		if u.Email == "" {
			u.Email = strings.ToLower(string(role)) + "+" + u.ID[len(u.ID)-8:] + "@" + accountID + ".sandbox.contextgpt.test"
		}
		k := &APIKey{Key: s.ids.apiKey(), Name: "control plane", UserID: u.ID, AccountID: accountID, IsActive: true, CreatedAt: now}
		s.users[u.ID] = u
		s.keys[k.Key] = k
		out = AccountUser{AccountID: accountID, UserID: u.ID, Name: u.Name, Email: u.Email, Role: role, APIKey: k.Key}
		return nil
	})
	return out, err
}

// SetChatbotMember adds a member of a chatbot's account to the chatbot (or changes its
// role there). A nil role means the user's role in the account. Errors: CHATBOT_NOT_FOUND,
// USER_NOT_FOUND, NOT_A_MEMBER (the user is not in the chatbot's account).
func (s *Store) SetChatbotMember(chatbotID, userID string, role *Role) (Role, error) {
	var out Role
	err := s.update(func() error {
		c, ok := s.chatbots[chatbotID]
		if !ok {
			return apierr.New(apierr.ChatbotNotFound, "chatbot %s not found", chatbotID)
		}
		u, ok := s.users[userID]
		if !ok {
			return apierr.New(apierr.UserNotFound, "user %s not found", userID)
		}
		accRole, member := u.Memberships[c.AccountID]
		if !member {
			return apierr.New(apierr.NotAMember, "user %s is not a member of account %s, which owns chatbot %s", userID, c.AccountID, chatbotID)
		}
		out = accRole
		if role != nil {
			out = *role
		}
		if u.ChatbotRoles == nil {
			u.ChatbotRoles = map[string]Role{}
		}
		u.ChatbotRoles[chatbotID] = out
		return nil
	})
	return out, err
}

// RemoveChatbotMember takes a user off a chatbot (USER_NOT_FOUND, NOT_A_MEMBER when it was
// not on it).
func (s *Store) RemoveChatbotMember(chatbotID, userID string) error {
	return s.update(func() error {
		u, ok := s.users[userID]
		if !ok {
			return apierr.New(apierr.UserNotFound, "user %s not found", userID)
		}
		if _, ok := u.ChatbotRoles[chatbotID]; !ok {
			return apierr.New(apierr.ChatbotMemberNotFound, "user %s is not a member of chatbot %s", userID, chatbotID)
		}
		delete(u.ChatbotRoles, chatbotID)
		return nil
	})
}

// AccountHasWebhooks tells whether an account may use webhooks: its plan includes them
// (Scale, Enterprise) or it has the webhooks add-on on a paid plan.
func (s *Store) AccountHasWebhooks(accountID string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[accountID]
	if !ok {
		return false
	}
	if s.cfg.Plans[a.Plan].Webhooks {
		return true
	}
	return a.Plan != plans.Trial && hasAddon(a, plans.AddonWebhooks)
}
