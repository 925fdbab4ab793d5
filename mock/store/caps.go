package store

import (
	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/plans"
)

// Caps bound what clients can make the store hold, so the mock's memory has a ceiling
// whatever the traffic (README "Limits and safety"). Past a cap the write is refused with
// 403 STORE_LIMIT_REACHED and stores nothing; Unlimited (-1) turns one off, 0 keeps the
// default. A limits file raises them (caps:), e.g. for load tests.
type Caps struct {
	Accounts             int // accounts in the store (fixtures and sandboxes)
	ChatbotsPerAccount   int // on top of the plan's quota
	Chatbots             int // in the store
	ThreadsPerAccount    int // conversations of an account's chatbots
	Threads              int // in the store
	MessagesPerAccount   int // messages of an account's threads
	Messages             int // in the store
	DeliveriesPerChatbot int // the log keeps this many; the oldest finished go first
	Deliveries           int // in the store
	// Per chatbot: the lists the API returns whole.
	StartersPerChatbot      int // conversation starters
	FollowUpsPerChatbot     int // follow-up prompts
	InstructionsPerChatbot  int // instruction sets
	PersonasPerChatbot      int // personas
	LocalizationsPerChatbot int // locales with text overrides
}

// DefaultCaps are well above what `make loadtest` and the scenarios need (100,000 items)
// and keep the store under about 1.5 GiB (README "Limits and safety").
func DefaultCaps() Caps {
	return Caps{
		Accounts:             10_000,
		ChatbotsPerAccount:   1_000,
		Chatbots:             20_000,
		ThreadsPerAccount:    200_000,
		Threads:              500_000,
		MessagesPerAccount:   1_000_000,
		Messages:             2_000_000,
		DeliveriesPerChatbot: 10_000,
		Deliveries:           200_000,
		// The dashboard shows these lists whole; a few dozen is a large chatbot.
		StartersPerChatbot:      100,
		FollowUpsPerChatbot:     100,
		InstructionsPerChatbot:  100,
		PersonasPerChatbot:      100,
		LocalizationsPerChatbot: 200,
	}
}

// withDefaults fills the zero fields with DefaultCaps' numbers.
func (c Caps) withDefaults() Caps {
	d := DefaultCaps()
	for _, f := range []struct{ v, def *int }{
		{&c.Accounts, &d.Accounts}, {&c.ChatbotsPerAccount, &d.ChatbotsPerAccount}, {&c.Chatbots, &d.Chatbots},
		{&c.ThreadsPerAccount, &d.ThreadsPerAccount}, {&c.Threads, &d.Threads},
		{&c.MessagesPerAccount, &d.MessagesPerAccount}, {&c.Messages, &d.Messages},
		{&c.DeliveriesPerChatbot, &d.DeliveriesPerChatbot}, {&c.Deliveries, &d.Deliveries},
		{&c.StartersPerChatbot, &d.StartersPerChatbot}, {&c.FollowUpsPerChatbot, &d.FollowUpsPerChatbot},
		{&c.InstructionsPerChatbot, &d.InstructionsPerChatbot}, {&c.PersonasPerChatbot, &d.PersonasPerChatbot},
		{&c.LocalizationsPerChatbot, &d.LocalizationsPerChatbot},
	} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	return c
}

// usage counts threads and messages by account, for the per-account caps.
type usage struct {
	threads  map[string]int
	messages map[string]int
}

func newUsage() usage { return usage{threads: map[string]int{}, messages: map[string]int{}} }

func (u usage) add(m map[string]int, account string, n int) {
	if v := m[account] + n; v > 0 {
		m[account] = v
	} else {
		delete(m, account)
	}
}

// accountOfLocked is the account that owns a chatbot ("" when it is gone).
func (s *Store) accountOfLocked(chatbotID string) string {
	if c, ok := s.chatbots[chatbotID]; ok {
		return c.AccountID
	}
	return ""
}

// rebuildUsageLocked recounts after an import.
func (s *Store) rebuildUsageLocked() {
	s.use = newUsage()
	s.threads.each(func(_ int32, _, chatbotID string) {
		s.use.add(s.use.threads, s.accountOfLocked(chatbotID), 1)
	})
	s.messages.each(func(_ int32, chatbotID string) {
		s.use.add(s.use.messages, s.accountOfLocked(chatbotID), 1)
	})
}

func over(limit, have, adding int) bool {
	return limit != plans.Unlimited && limit >= 0 && have+adding > limit
}

func capError(what string, limit int) error {
	return apierr.New(apierr.StoreLimitReached, "The mock holds at most %d %s; delete some, reset the mock, or raise caps in the limits file", limit, what).
		WithDetails(map[string]any{"resource": what, "limit": limit})
}

// roomForAccountLocked refuses a new account past Caps.Accounts.
func (s *Store) roomForAccountLocked() error {
	if c := s.cfg.Caps; over(c.Accounts, len(s.accounts), 1) {
		return capError("accounts", c.Accounts)
	}
	return nil
}

// roomForChatbotLocked refuses a new chatbot of an account that has count already.
func (s *Store) roomForChatbotLocked(count int) error {
	c := s.cfg.Caps
	if over(c.ChatbotsPerAccount, count, 1) {
		return capError("chatbots per account", c.ChatbotsPerAccount)
	}
	if over(c.Chatbots, len(s.chatbots), 1) {
		return capError("chatbots", c.Chatbots)
	}
	return nil
}

// roomLocked refuses threads or messages past their caps for the chatbot's account.
func (s *Store) roomLocked(chatbotID string, threads, messages int) error {
	c, acc := s.cfg.Caps, s.accountOfLocked(chatbotID)
	if threads > 0 {
		if over(c.ThreadsPerAccount, s.use.threads[acc], threads) {
			return capError("threads per account", c.ThreadsPerAccount)
		}
		if over(c.Threads, s.threads.Len(), threads) {
			return capError("threads", c.Threads)
		}
	}
	if messages > 0 {
		if over(c.MessagesPerAccount, s.use.messages[acc], messages) {
			return capError("messages per account", c.MessagesPerAccount)
		}
		if over(c.Messages, s.messages.Len(), messages) {
			return capError("messages", c.Messages)
		}
	}
	return nil
}

// roomForDeliveryLocked makes room in a chatbot's delivery log by forgetting its oldest
// finished delivery, and refuses past the store's cap or when every kept one is unfinished.
func (s *Store) roomForDeliveryLocked(chatbotID string) error {
	c := s.cfg.Caps
	if b := s.idx.deliveriesByBot[chatbotID]; b != nil && over(c.DeliveriesPerChatbot, b.all.Len(), 1) {
		var oldest *Delivery
		for _, st := range []string{DeliverySuccess, DeliveryFailed} {
			if tr := b.status[st]; tr != nil && tr.Len() > 0 {
				if d := tr.At(tr.Len() - 1); oldest == nil || deliveryCmp(d, oldest) > 0 {
					oldest = d
				}
			}
		}
		if oldest != nil {
			s.unindexDeliveryLocked(oldest)
			delete(s.deliveries, oldest.ID)
			delete(s.idx.deliveryKeys, deliveryKey{oldest.ChatbotID, oldest.ConfigID, oldest.EventKey})
		}
		if over(c.DeliveriesPerChatbot, b.all.Len(), 1) {
			return capError("unfinished webhook deliveries per chatbot", c.DeliveriesPerChatbot)
		}
	}
	if over(c.Deliveries, len(s.deliveries), 1) {
		return capError("webhook deliveries", c.Deliveries)
	}
	return nil
}

// roomInListLocked refuses one more item in a chatbot's list of have items past limit
// (what names the list in the error, e.g. "conversation starters per chatbot").
func roomInListLocked(limit, have int, what string) error {
	if over(limit, have, 1) {
		return capError(what, limit)
	}
	return nil
}

func (s *Store) roomForInstructionLocked(c *Chatbot) error {
	return roomInListLocked(s.cfg.Caps.InstructionsPerChatbot, len(c.Instructions), "instruction sets per chatbot")
}

func (s *Store) roomForPersonaLocked(c *Chatbot) error {
	return roomInListLocked(s.cfg.Caps.PersonasPerChatbot, len(c.Personas), "personas per chatbot")
}
