package mock

import (
	"sync"
	"time"
)

// DefaultMyChatbotsTTL is how long the real API caches GET /v1/chatbots/my-chatbots per
// user (the reference: "cached 10 min per user").
const DefaultMyChatbotsTTL = 10 * time.Minute

// maxCachedUsers bounds the cache; past it, expired answers are swept and, if that frees
// nothing, the cache starts again empty (a miss only costs a fresh read).
const maxCachedUsers = 100_000

// myChatbotsCache keeps each user's my-chatbots answer for ttl on the mock's clock, as the
// real API does: a chatbot created meanwhile is not listed until the answer expires.
// Reset, state import, sandbox deletion, membership changes and DELETE
// /__mock/caches/my-chatbots drop it. A zero ttl turns it off.
type myChatbotsCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[string]cachedMyChatbots
}

type cachedMyChatbots struct {
	expires time.Time
	data    map[string]any // never changed once stored
}

func newMyChatbotsCache(ttl time.Duration) *myChatbotsCache {
	return &myChatbotsCache{ttl: ttl, entries: map[string]cachedMyChatbots{}}
}

func (c *myChatbotsCache) get(userID string, now time.Time) (map[string]any, bool) {
	if c == nil || c.ttl <= 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[userID]
	if !ok {
		return nil, false
	}
	if !now.Before(e.expires) {
		delete(c.entries, userID)
		return nil, false
	}
	return e.data, true
}

func (c *myChatbotsCache) put(userID string, data map[string]any, now time.Time) {
	if c == nil || c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCachedUsers {
		for id, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, id)
			}
		}
		if len(c.entries) >= maxCachedUsers {
			c.entries = map[string]cachedMyChatbots{}
		}
	}
	c.entries[userID] = cachedMyChatbots{expires: now.Add(c.ttl), data: data}
}

// clear drops every cached answer.
func (c *myChatbotsCache) clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.entries = map[string]cachedMyChatbots{}
	c.mu.Unlock()
}

// size is how many users have an answer cached (expired or not).
func (c *myChatbotsCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
