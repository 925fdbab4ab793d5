// Package plans is the account plans and what each allows: the vocabulary the store (chatbot
// limits, API access, webhooks) and the rate limiter (messages per minute and month) share.
package plans

import (
	"fmt"
	"strings"
)

// Plan is an account's plan.
type Plan string

// The plans, lowercase as the control plane names them.
const (
	Trial      Plan = "trial"
	Starter    Plan = "starter"
	Growth     Plan = "growth"
	Scale      Plan = "scale"
	Enterprise Plan = "enterprise"
)

// Unlimited marks a limit that does not apply.
const Unlimited = -1

// Limits are what a plan allows.
type Limits struct {
	APIAccess        bool `json:"apiAccess" yaml:"apiAccess"`
	Chatbots         int  `json:"chatbots" yaml:"chatbots"`
	MessagesPerMin   int  `json:"messagesPerMinute" yaml:"messagesPerMinute"`
	AIRepliesPerMin  int  `json:"aiRepliesPerMinute" yaml:"aiRepliesPerMinute"`
	Webhooks         bool `json:"webhooks" yaml:"webhooks"`
	MessagesPerMonth int  `json:"messagesPerMonth" yaml:"messagesPerMonth"`
}

// Documented is the DESIGN table: the reference's numbers, ours where it is silent.
func Documented() map[Plan]Limits {
	return map[Plan]Limits{
		Trial:      {APIAccess: false, Chatbots: 1, MessagesPerMin: 0, AIRepliesPerMin: 0, Webhooks: false, MessagesPerMonth: 0},
		Starter:    {APIAccess: true, Chatbots: 1, MessagesPerMin: 600, AIRepliesPerMin: 150, Webhooks: false, MessagesPerMonth: 2000},
		Growth:     {APIAccess: true, Chatbots: 2, MessagesPerMin: 3000, AIRepliesPerMin: 750, Webhooks: true, MessagesPerMonth: 10000},
		Scale:      {APIAccess: true, Chatbots: 3, MessagesPerMin: 12000, AIRepliesPerMin: 3000, Webhooks: true, MessagesPerMonth: 40000},
		Enterprise: {APIAccess: true, Chatbots: Unlimited, MessagesPerMin: 60000, AIRepliesPerMin: 15000, Webhooks: true, MessagesPerMonth: Unlimited},
	}
}

// Parse reads a plan name in any case.
func Parse(s string) (Plan, error) {
	p := Plan(strings.ToLower(strings.TrimSpace(s)))
	switch p {
	case Trial, Starter, Growth, Scale, Enterprise:
		return p, nil
	}
	return "", fmt.Errorf("unknown plan %q: want trial, starter, growth, scale or enterprise", s)
}
