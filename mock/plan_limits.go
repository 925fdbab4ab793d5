package mock

import (
	"fmt"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/limits"
	"github.com/contextgpt/sandbox/mock/plans"
)

// chargeMessages counts messages (visitor and agent) and AI replies against the account's
// plan limits: messages/min, AI replies/min and the monthly quota. It either records all of
// them or none, and answers 429 MESSAGES_LIMIT_REACHED (with its RateLimit) when any limit
// is spent. With --limits off nothing is limited.
func (m *Mock) chargeMessages(accountID string, plan plans.Plan, messages, aiReplies int) *apierr.Error {
	if m.limits == nil || (messages <= 0 && aiReplies <= 0) {
		return nil
	}
	d, kind, ok := m.limits.Plans.Charge(accountID, plan, m.clock.Now(), messages, aiReplies)
	if ok {
		return nil
	}
	var what string
	switch kind {
	case limits.KindAIRepliesPerMin:
		what = fmt.Sprintf("The %s plan allows %d AI replies per minute", plan, d.Limit)
	case limits.KindMessagesPerMonth:
		what = fmt.Sprintf("The %s plan allows %d messages per month", plan, d.Limit)
	default:
		what = fmt.Sprintf("The %s plan allows %d messages per minute", plan, d.Limit)
	}
	e := rateLimited(apierr.MessagesLimitReached, d, kind,
		"Message limit reached for your plan. Please wait before sending more messages. "+what+".")
	e.Details["plan"] = string(plan)
	return e
}
