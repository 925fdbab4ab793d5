package mock

import (
	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/store"
)

// chargeMessages counts messages (visitor and agent) and AI replies against the account's
// plan limits: messages/min, AI replies/min and the monthly quota. It either records all of
// them or none, and answers 429 MESSAGES_LIMIT_REACHED (with its RateLimit) when any limit
// is spent. The limits issue implements it; until then nothing is limited.
func (m *Mock) chargeMessages(accountID string, plan store.Plan, messages, aiReplies int) *apierr.Error {
	_, _, _, _ = accountID, plan, messages, aiReplies
	return nil
}
