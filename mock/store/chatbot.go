package store

import (
	"sort"
	"strings"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/plans"
)

// Access is the caller's standing on one chatbot, resolved by ChatbotAccess.
type Access struct {
	ChatbotID string
	AccountID string
	Role      Role
	Plan      plans.Plan
}

// ChatbotAccess checks, in order: the chatbot exists and belongs to an account of the
// caller (CHATBOT_NOT_FOUND otherwise: another account's chatbot reads exactly as a missing
// one, so no id leaks), the caller, unless SUPER_ADMIN there, was added to the chatbot (403
// CHATBOT_FETCH_FORBIDDEN), its role on the chatbot holds perm (403
// INSUFFICIENT_PERMISSIONS with details {action, role}).
func (s *Store) ChatbotAccess(p Principal, chatbotID string, perm Permission) (Access, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.chatbotAccessLocked(p, chatbotID, perm)
}

func (s *Store) chatbotAccessLocked(p Principal, chatbotID string, perm Permission) (Access, error) {
	c, ok := s.chatbots[chatbotID]
	if !ok {
		return Access{}, apierr.New(apierr.ChatbotNotFound, "Chatbot not found")
	}
	accRole, err := s.roleLocked(p, c.AccountID)
	if err != nil {
		return Access{}, apierr.New(apierr.ChatbotNotFound, "Chatbot not found")
	}
	role, member := chatbotRole(s.users[p.UserID], accRole, chatbotID)
	if !member {
		return Access{}, notChatbotMember(chatbotID)
	}
	if perm != "" && !role.Can(perm) {
		return Access{}, permissionError(perm, role)
	}
	return Access{ChatbotID: c.ID, AccountID: c.AccountID, Role: role, Plan: s.accounts[c.AccountID].Plan}, nil
}

// AccountAccess checks that the caller is a member of the account and holds perm. An
// account the caller is not in, unknown or another's, answers the same 403
// CHATBOT_FETCH_FORBIDDEN "User does not have access to this account", as the reference.
func (s *Store) AccountAccess(p Principal, accountID string, perm Permission) (Access, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[accountID]
	if !ok {
		return Access{}, noAccountAccess()
	}
	role, err := s.roleLocked(p, accountID)
	if err != nil {
		return Access{}, noAccountAccess()
	}
	if perm != "" && !role.Can(perm) {
		return Access{}, permissionError(perm, role)
	}
	return Access{AccountID: accountID, Role: role, Plan: a.Plan}, nil
}

func noAccountAccess() *apierr.Error {
	return apierr.New(apierr.ChatbotFetchForbidden, "User does not have access to this account")
}

func (s *Store) roleLocked(p Principal, accountID string) (Role, error) {
	u, ok := s.users[p.UserID]
	if !ok {
		return "", apierr.New(apierr.APIKeyNotValid, "unknown user")
	}
	role, member := u.Memberships[accountID]
	if !member {
		return "", apierr.New(apierr.ChatbotFetchForbidden, "not a member")
	}
	return role, nil
}

func permissionError(perm Permission, role Role) *apierr.Error {
	return apierr.New(apierr.InsufficientPermissions, "User does not have permission to perform this action").
		WithDetails(map[string]any{"action": string(perm), "role": string(role)})
}

// MyAccount is one account of the caller with the chatbots it sees there.
type MyAccount struct {
	AccountID   string      `json:"accountId"`
	AccountName string      `json:"accountName"`
	UserRole    string      `json:"userRole"`
	Chatbots    []MyChatbot `json:"chatbots"`
}

// MyChatbot is a chatbot with the caller's role on it.
type MyChatbot struct {
	Chatbot
	Role Role `json:"userChatbotRole"`
}

// MyChatbots lists every account of the caller (even one without chatbots) with the
// chatbots it reaches there: all of them for a SUPER_ADMIN, the ones it was added to for
// any other member (cost: its memberships, not the account's chatbots). Accounts by id,
// chatbots in creation order.
func (s *Store) MyChatbots(p Principal) ([]MyAccount, int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[p.UserID]
	if !ok {
		return nil, 0
	}
	return s.myChatbotsLocked(u)
}

func (s *Store) myChatbotsLocked(u *User) ([]MyAccount, int) {
	var out []MyAccount
	total := 0
	for accID, role := range u.Memberships {
		a, ok := s.accounts[accID]
		if !ok {
			continue
		}
		var bots []MyChatbot
		if role == RoleSuperAdmin {
			all := s.accountChatbotsLocked(accID)
			bots = make([]MyChatbot, 0, len(all))
			for _, b := range all {
				bots = append(bots, MyChatbot{Chatbot: b, Role: RoleSuperAdmin})
			}
		} else {
			bots = []MyChatbot{}
			for botID, r := range u.ChatbotRoles {
				if c, ok := s.chatbots[botID]; ok && c.AccountID == accID {
					bots = append(bots, MyChatbot{Chatbot: summary(c), Role: r})
				}
			}
			sort.Slice(bots, func(i, j int) bool { return chatbotBefore(&bots[i].Chatbot, &bots[j].Chatbot) })
		}
		total += len(bots)
		out = append(out, MyAccount{AccountID: a.ID, AccountName: a.Name, UserRole: string(role), Chatbots: bots})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AccountID < out[j].AccountID })
	return out, total
}

// chatbotBefore orders chatbots by creation, id as tie-break.
func chatbotBefore(a, b *Chatbot) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.Before(b.CreatedAt)
	}
	return a.ID < b.ID
}

// AccountChatbots lists an account's chatbots in creation order (id as tie-break).
func (s *Store) AccountChatbots(accountID string) []Chatbot {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.accountChatbotsLocked(accountID)
}

func (s *Store) accountChatbotsLocked(accountID string) []Chatbot {
	tr := s.idx.botsByAccount[accountID].tree()
	out := make([]Chatbot, 0, tr.Len())
	tr.Ascend(0, func(c *Chatbot) bool {
		out = append(out, summary(c))
		return true
	})
	return out
}

// CallerChatbots lists the chatbots the caller reaches in every account of its, with its
// role on each, in creation order.
func (s *Store) CallerChatbots(p Principal) []MyChatbot {
	accounts, _ := s.MyChatbots(p)
	var out []MyChatbot
	for _, a := range accounts {
		out = append(out, a.Chatbots...)
	}
	sort.SliceStable(out, func(i, j int) bool { return chatbotBefore(&out[i].Chatbot, &out[j].Chatbot) })
	return out
}

// summary copies a chatbot's own fields, without what it owns.
func summary(c *Chatbot) Chatbot {
	return Chatbot{ID: c.ID, AccountID: c.AccountID, Name: c.Name, Description: c.Description, IsActive: c.IsActive,
		CreatedByUserID: c.CreatedByUserID, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// Chatbot returns a chatbot's own fields.
func (s *Store) Chatbot(id string) (Chatbot, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.chatbots[id]
	if !ok {
		return Chatbot{}, false
	}
	return summary(c), true
}

// NewChatbot is the input of CreateChatbot.
type NewChatbot struct {
	ID          string // optional: fixtures pin their ids
	Name        string
	Description string
	IsActive    *bool
}

// CreateChatbot adds a chatbot to an account: 409 CHATBOT_ALREADY_EXISTS for a name the
// account has (case-insensitive), 403 CHATBOT_LIMIT_REACHED past the plan's chatbot quota.
func (s *Store) CreateChatbot(accountID, userID string, in NewChatbot) (Chatbot, error) {
	var out Chatbot
	err := s.update(func() error {
		a, ok := s.accounts[accountID]
		if !ok {
			return apierr.New(apierr.AccountNotFound, "Account not found")
		}
		name := strings.TrimSpace(in.Name)
		if name == "" {
			return (&apierr.Error{Code: apierr.MissingRequiredField, Message: "name is required"})
		}
		count := s.idx.botsByAccount[accountID].tree().Len()
		if s.idx.botNames[botNameKey{accountID, foldName(name)}] > 0 {
			return apierr.New(apierr.ChatbotAlreadyExists, "A chatbot with this name already exists in this account")
		}
		if err := s.roomForChatbotLocked(count); err != nil {
			return err
		}
		if limit := s.cfg.Plans[a.Plan].Chatbots; limit != plans.Unlimited && count >= limit {
			return apierr.New(apierr.ChatbotLimitReached, "Chatbot limit reached (%d/%d) on the %s plan. Please upgrade to continue.", count, limit, a.Plan).
				WithDetails(map[string]any{"limit": limit, "current": count, "plan": string(a.Plan)})
		}
		id := in.ID
		if id == "" {
			id = s.freshNumericLocked()
		}
		if _, dup := s.chatbots[id]; dup {
			return apierr.New(apierr.InvalidFieldValue, "chatbot %s exists already", id)
		}
		now := s.now()
		c := &Chatbot{ID: id, AccountID: accountID, Name: name, Description: in.Description, IsActive: true,
			CreatedByUserID: userID, CreatedAt: now, UpdatedAt: now}
		if in.IsActive != nil {
			c.IsActive = *in.IsActive
		}
		s.chatbots[id] = c
		s.indexChatbotLocked(c)
		// A creator who is not the account's SUPER_ADMIN is added to the chatbot with its
		// account role, so it can reach what it made.
		if u, ok := s.users[userID]; ok {
			if role, member := u.Memberships[accountID]; member && role != RoleSuperAdmin {
				if u.ChatbotRoles == nil {
					u.ChatbotRoles = map[string]Role{}
				}
				u.ChatbotRoles[id] = role
			}
		}
		out = summary(c)
		return nil
	})
	return out, err
}

// ChatbotPatch is a partial update of a chatbot; nil fields stay.
type ChatbotPatch struct {
	Name        *string
	Description *string
	IsActive    *bool
}

// UpdateChatbot changes a chatbot of an account (404 when it is not there, 409 on a
// duplicate name, 400 NO_VALID_FIELDS_TO_UPDATE when nothing is given).
func (s *Store) UpdateChatbot(accountID, chatbotID string, in ChatbotPatch) (Chatbot, error) {
	var out Chatbot
	err := s.update(func() error {
		c, ok := s.chatbots[chatbotID]
		if !ok || c.AccountID != accountID {
			return apierr.New(apierr.ChatbotNotFound, "Chatbot not found or could not be updated")
		}
		if in.Name == nil && in.Description == nil && in.IsActive == nil {
			return apierr.New(apierr.NoValidFieldsToUpdate, "No valid fields to update")
		}
		if in.Name != nil {
			name := strings.TrimSpace(*in.Name)
			if name == "" {
				return &apierr.Error{Code: apierr.InvalidFieldValue, Message: "name must not be empty"}
			}
			others := s.idx.botNames[botNameKey{accountID, foldName(name)}]
			if foldName(name) == foldName(c.Name) {
				others-- // itself
			}
			if others > 0 {
				return apierr.New(apierr.ChatbotAlreadyExists, "A chatbot with this name already exists in this account")
			}
			s.unindexChatbotLocked(c)
			c.Name = name
			s.indexChatbotLocked(c)
		}
		if in.Description != nil {
			c.Description = *in.Description
		}
		if in.IsActive != nil {
			c.IsActive = *in.IsActive
		}
		c.UpdatedAt = s.now()
		out = summary(c)
		return nil
	})
	return out, err
}

// DeleteChatbot deletes a chatbot of an account and everything it owns.
func (s *Store) DeleteChatbot(accountID, chatbotID string) error {
	return s.update(func() error {
		c, ok := s.chatbots[chatbotID]
		if !ok || c.AccountID != accountID {
			return apierr.New(apierr.ChatbotNotFound, "Chatbot not found")
		}
		s.deleteChatbotLocked(chatbotID)
		return nil
	})
}

func (s *Store) deleteChatbotLocked(chatbotID string) {
	acc := s.accountOfLocked(chatbotID)
	if b := s.idx.threadsByBot[chatbotID]; b != nil {
		b.all.Ascend(0, func(row int32) bool {
			t := s.threads.at(row)
			s.use.add(s.use.threads, acc, -1)
			s.use.add(s.use.messages, acc, -s.idx.messagesByThrd[t.row].Len())
			s.idx.messagesByThrd[t.row].Each(func(row int32) { s.messages.remove(s.messages.rec(row).id) })
			delete(s.idx.messagesByThrd, t.row)
			delete(s.idx.leadsByThread, t.ID)
			if t.VisitorID != nil {
				s.idx.visitors.del(visitorKey{chatbotID, *t.VisitorID})
			}
			s.threads.remove(t.ID)
			return true
		})
	}
	delete(s.idx.threadsByBot, chatbotID)
	s.threads.dropBotWord(chatbotID) // its threads, messages and visitors are gone with it
	for id, l := range s.idx.leadsByBot[chatbotID] {
		delete(s.leads, id)
		delete(s.idx.leadsByVisitor, leadKeyOf(l.ChatbotID, l.VisitorID, l.ThreadID))
	}
	delete(s.idx.leadsByBot, chatbotID)
	if b := s.idx.deliveriesByBot[chatbotID]; b != nil {
		b.all.Ascend(0, func(d *Delivery) bool {
			delete(s.deliveries, d.ID)
			delete(s.idx.deliveryKeys, deliveryKey{d.ChatbotID, d.ConfigID, d.EventKey})
			return true
		})
	}
	delete(s.idx.deliveriesByBot, chatbotID)
	if c := s.chatbots[chatbotID]; c != nil {
		s.unindexOwnedLocked(c)
		s.unindexChatbotLocked(c)
	}
	if c, ok := s.chatbots[chatbotID]; ok {
		for _, u := range s.users { // members of the chatbot belong to its account
			if _, member := u.Memberships[c.AccountID]; member {
				delete(u.ChatbotRoles, chatbotID)
			}
		}
	}
	delete(s.chatbots, chatbotID)
}

// withChatbot runs fn on a chatbot under the write lock (for the resources it owns).
func (s *Store) withChatbot(chatbotID string, fn func(c *Chatbot) error) error {
	return s.update(func() error {
		c, ok := s.chatbots[chatbotID]
		if !ok {
			return apierr.New(apierr.ChatbotNotFound, "Chatbot not found")
		}
		return fn(c)
	})
}

// readChatbot runs fn on a chatbot under the read lock.
func (s *Store) readChatbot(chatbotID string, fn func(c *Chatbot) error) error {
	return s.view(func() error {
		c, ok := s.chatbots[chatbotID]
		if !ok {
			return apierr.New(apierr.ChatbotNotFound, "Chatbot not found")
		}
		return fn(c)
	})
}

// ChatbotPage is one page (page ≥ 1, limit ≥ 1) of the chatbots of every account of the
// caller, in creation order (id as tie-break), with their number. For a caller in one
// account it reads that account's kept-sorted tree: O(log n + limit). Across several
// accounts it finds where the page starts in each tree (mergedRanks) and merges from there:
// O(accounts² log² n + accounts × limit log n), whatever the page number.
func (s *Store) ChatbotPage(p Principal, page, limit int) ([]MyChatbot, int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[p.UserID]
	if !ok || page < 1 || limit < 1 {
		return []MyChatbot{}, 0
	}
	// Membership is per chatbot: a caller that is not SUPER_ADMIN everywhere reaches only
	// the chatbots it was added to there; those lists are as long as its memberships.
	for _, r := range u.Memberships {
		if r != RoleSuperAdmin {
			accounts, _ := s.myChatbotsLocked(u)
			var all []MyChatbot
			for _, a := range accounts {
				all = append(all, a.Chatbots...)
			}
			sort.SliceStable(all, func(i, j int) bool { return chatbotBefore(&all[i].Chatbot, &all[j].Chatbot) })
			start, end, ok := pageBounds(len(all), page, limit)
			if !ok {
				return []MyChatbot{}, len(all)
			}
			return append([]MyChatbot{}, all[start:end]...), len(all)
		}
	}
	var trees []*ostree[*Chatbot]
	total := 0
	for acc := range u.Memberships {
		if _, ok := s.accounts[acc]; !ok {
			continue
		}
		if tr := s.idx.botsByAccount[acc].tree(); tr.Len() > 0 {
			trees = append(trees, tr)
			total += tr.Len()
		}
	}
	start, end, ok := pageBounds(total, page, limit)
	if !ok {
		return []MyChatbot{}, total
	}
	out := make([]MyChatbot, 0, end-start)
	if len(trees) == 1 {
		trees[0].Page(start, end-start, func(c *Chatbot) { out = append(out, MyChatbot{Chatbot: summary(c), Role: RoleSuperAdmin}) })
		return out, total
	}
	pos := mergedRanks(trees, start)
	for len(out) < end-start {
		best := -1
		for k, tr := range trees {
			if pos[k] < tr.Len() && (best < 0 || chatbotCmp(tr.At(pos[k]), trees[best].At(pos[best])) < 0) {
				best = k
			}
		}
		out = append(out, MyChatbot{Chatbot: summary(trees[best].At(pos[best])), Role: RoleSuperAdmin})
		pos[best]++
	}
	return out, total
}

// mergedRanks is, for each tree, how many of its items come before the item at rank
// (0 ≤ rank < the trees' total) of their merged order: where a page starting there begins
// in each. It finds that item by a binary search in each tree in turn, an item's merged rank
// being its rank in its own tree plus its rank in each other tree: O(k² log² n) for k trees
// of up to n items, not a walk from the first item.
func mergedRanks(trees []*ostree[*Chatbot], rank int) []int {
	pos := make([]int, len(trees))
	merged := func(i, j int) int { // the merged rank of item j of tree i
		x, r := trees[i].At(j), j
		for k, tr := range trees {
			if k != i {
				n, _ := tr.Rank(x)
				r += n
			}
		}
		return r
	}
	for i, tr := range trees {
		lo, hi := 0, tr.Len() // the first j whose merged rank is ≥ rank
		for lo < hi {
			if mid := (lo + hi) / 2; merged(i, mid) < rank {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo < tr.Len() && merged(i, lo) == rank {
			x := tr.At(lo)
			for k, other := range trees {
				pos[k], _ = other.Rank(x)
			}
			pos[i] = lo
			return pos
		}
	}
	for k, tr := range trees { // rank is past the end
		pos[k] = tr.Len()
	}
	return pos
}
