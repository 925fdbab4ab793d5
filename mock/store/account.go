package store

import (
	"sort"
	"strings"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/plans"
)

// Principal is who a request acts as: the key's user, in the key's account.
type Principal struct {
	UserID    string
	UserName  string
	AccountID string
	Role      Role
	Plan      plans.Plan
}

// NewAccount is the input of CreateAccount.
type NewAccount struct {
	ID      string // optional: fixtures pin their ids
	Name    string
	Plan    plans.Plan
	Sandbox bool
	Addons  []string
}

// CreateAccount adds an account.
func (s *Store) CreateAccount(in NewAccount) (Account, error) {
	var out Account
	err := s.update(func() error {
		id := in.ID
		if id == "" {
			id = s.freshNumericLocked()
		}
		if _, dup := s.accounts[id]; dup {
			return apierr.New(apierr.InvalidFieldValue, "account %s exists already", id)
		}
		a := &Account{ID: id, Name: in.Name, Plan: in.Plan, Sandbox: in.Sandbox, Addons: append([]string(nil), in.Addons...), CreatedAt: s.now()}
		s.accounts[id] = a
		out = *a
		return nil
	})
	return out, err
}

// NewUser is the input of CreateUser.
type NewUser struct {
	ID          string
	Name        string
	Email       string
	Memberships map[string]Role
}

// CreateUser adds a user with its account memberships.
func (s *Store) CreateUser(in NewUser) (User, error) {
	var out User
	err := s.update(func() error {
		id := in.ID
		if id == "" {
			id = s.freshNumericLocked() // the reference writes user ids as 18-digit numbers
		}
		if _, dup := s.users[id]; dup {
			return apierr.New(apierr.InvalidFieldValue, "user %s exists already", id)
		}
		m := map[string]Role{}
		for acc, role := range in.Memberships {
			if _, ok := s.accounts[acc]; !ok {
				return apierr.New(apierr.AccountNotFound, "account %s not found", acc)
			}
			m[acc] = role
		}
		u := &User{ID: id, Name: in.Name, Email: in.Email, Memberships: m, CreatedAt: s.now()}
		s.users[id] = u
		out = cloneUser(u)
		return nil
	})
	return out, err
}

// CreateAPIKey issues a key for a user in one of its accounts; key may be given (fixtures).
func (s *Store) CreateAPIKey(userID, accountID, name, key string) (APIKey, error) {
	var out APIKey
	err := s.update(func() error {
		u, ok := s.users[userID]
		if !ok {
			return apierr.New(apierr.ResourceNotFound, "user %s not found", userID)
		}
		if _, member := u.Memberships[accountID]; !member {
			return apierr.New(apierr.InvalidFieldValue, "user %s is not a member of account %s", userID, accountID)
		}
		if key == "" {
			key = s.ids.apiKey()
		}
		if _, dup := s.keys[key]; dup {
			return apierr.New(apierr.InvalidFieldValue, "api key exists already")
		}
		k := &APIKey{Key: key, Name: name, UserID: userID, AccountID: accountID, IsActive: true, CreatedAt: s.now()}
		s.keys[key] = k
		out = *k
		return nil
	})
	return out, err
}

// Authenticate resolves a bearer token to its principal: 401 API_KEY_NOT_VALID for an
// unknown or revoked key, 403 API_ACCESS_NOT_IN_PLAN for a plan without API access.
func (s *Store) Authenticate(token string) (Principal, error) {
	var p Principal
	err := s.view(func() error {
		k, ok := s.keys[token]
		if !ok || !k.IsActive {
			return apierr.New(apierr.APIKeyNotValid, "Authorization header does not contain a valid API key")
		}
		u, ok := s.users[k.UserID]
		if !ok {
			return apierr.New(apierr.APIKeyNotValid, "Authorization header does not contain a valid API key")
		}
		a, ok := s.accounts[k.AccountID]
		if !ok {
			return apierr.New(apierr.APIKeyNotValid, "Authorization header does not contain a valid API key")
		}
		p = Principal{UserID: u.ID, UserName: u.Name, AccountID: a.ID, Role: u.Memberships[a.ID], Plan: a.Plan}
		if !s.cfg.Plans[a.Plan].APIAccess {
			return apierr.New(apierr.APIAccessNotInPlan, "API access is not available on your current plan. Please upgrade to access this feature.").
				WithDetails(map[string]any{"plan": string(a.Plan)})
		}
		return nil
	})
	return p, err
}

// Sandbox is a fresh account with one SUPER_ADMIN user and its key.
type Sandbox struct {
	AccountID string     `json:"accountId"`
	UserID    string     `json:"userId"`
	APIKey    string     `json:"apiKey"`
	Plan      plans.Plan `json:"plan"`
	Addons    []string   `json:"addons"`
}

// CreateSandbox makes a fresh, empty account on a plan (with add-ons), with a SUPER_ADMIN
// and its key.
func (s *Store) CreateSandbox(plan plans.Plan, name string, addons ...string) (Sandbox, error) {
	var out Sandbox
	err := s.update(func() error {
		if err := s.roomForAccountLocked(); err != nil {
			return err
		}
		now := s.now()
		acc := &Account{ID: s.freshNumericLocked(), Plan: plan, Sandbox: true, Addons: append([]string(nil), addons...), CreatedAt: now}
		acc.Name = name
		if acc.Name == "" {
			acc.Name = "Sandbox " + acc.ID[len(acc.ID)-6:]
		}
		u := &User{ID: s.freshNumericLocked(), Name: "Sandbox admin", Memberships: map[string]Role{acc.ID: RoleSuperAdmin}, CreatedAt: now}
		u.Email = "admin+" + acc.ID + "@sandbox.contextgpt.test"
		k := &APIKey{Key: s.ids.apiKey(), Name: "sandbox", UserID: u.ID, AccountID: acc.ID, IsActive: true, CreatedAt: now}
		s.accounts[acc.ID] = acc
		s.users[u.ID] = u
		s.keys[k.Key] = k
		out = Sandbox{AccountID: acc.ID, UserID: u.ID, APIKey: k.Key, Plan: plan, Addons: append([]string{}, addons...)}
		return nil
	})
	return out, err
}

// DeleteAccount removes an account, its chatbots (with all they own), its keys, and users
// left without any account. Only sandboxes may be deleted unless force is set.
func (s *Store) DeleteAccount(accountID string, force bool) error {
	return s.update(func() error {
		a, ok := s.accounts[accountID]
		if !ok {
			return apierr.New(apierr.AccountNotFound, "account %s not found", accountID)
		}
		if !a.Sandbox && !force {
			return apierr.New(apierr.InvalidFieldValue, "account %s is not a sandbox", accountID)
		}
		var bots []string
		s.idx.botsByAccount[accountID].tree().Ascend(0, func(c *Chatbot) bool {
			bots = append(bots, c.ID)
			return true
		})
		for _, id := range bots {
			s.deleteChatbotLocked(id)
		}
		for k, key := range s.keys {
			if key.AccountID == accountID {
				delete(s.keys, k)
			}
		}
		for id, u := range s.users {
			if _, member := u.Memberships[accountID]; member {
				delete(u.Memberships, accountID)
				for botID := range u.ChatbotRoles {
					if _, ok := s.chatbots[botID]; !ok {
						delete(u.ChatbotRoles, botID)
					}
				}
				if len(u.Memberships) == 0 {
					delete(s.users, id)
				}
			}
		}
		delete(s.accounts, accountID)
		return nil
	})
}

// Account returns one account.
func (s *Store) Account(id string) (Account, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[id]
	if !ok {
		return Account{}, false
	}
	return *a, true
}

// KeySummary describes a key for the start-up table.
type KeySummary struct {
	AccountID   string
	AccountName string
	Plan        plans.Plan
	UserName    string
	Role        Role
	Key         string
}

// Keys lists every active key with its account, plan and role, sorted by plan and role.
func (s *Store) Keys() []KeySummary {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []KeySummary
	for _, k := range s.keys {
		if !k.IsActive {
			continue
		}
		a := s.accounts[k.AccountID]
		u := s.users[k.UserID]
		if a == nil || u == nil {
			continue
		}
		out = append(out, KeySummary{AccountID: a.ID, AccountName: a.Name, Plan: a.Plan, UserName: u.Name, Role: u.Memberships[a.ID], Key: k.Key})
	}
	order := map[plans.Plan]int{plans.Trial: 0, plans.Starter: 1, plans.Growth: 2, plans.Scale: 3, plans.Enterprise: 4}
	roles := map[Role]int{RoleSuperAdmin: 0, RoleAdmin: 1, RoleEditor: 2, RoleAgent: 3}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Plan != out[j].Plan {
			return order[out[i].Plan] < order[out[j].Plan]
		}
		if out[i].Role != out[j].Role {
			return roles[out[i].Role] < roles[out[j].Role]
		}
		return strings.Compare(out[i].Key, out[j].Key) < 0
	})
	return out
}

func cloneUser(u *User) User {
	out := *u
	out.Memberships = make(map[string]Role, len(u.Memberships))
	for k, v := range u.Memberships {
		out.Memberships[k] = v
	}
	if u.ChatbotRoles != nil {
		out.ChatbotRoles = make(map[string]Role, len(u.ChatbotRoles))
		for k, v := range u.ChatbotRoles {
			out.ChatbotRoles[k] = v
		}
	}
	return out
}
