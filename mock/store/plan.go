package store

import (
	"fmt"
	"strings"
)

// Plan is an account's plan.
type Plan string

// The plans, lowercase as the control plane names them.
const (
	PlanTrial      Plan = "trial"
	PlanStarter    Plan = "starter"
	PlanGrowth     Plan = "growth"
	PlanScale      Plan = "scale"
	PlanEnterprise Plan = "enterprise"
)

// Unlimited marks a limit that does not apply.
const Unlimited = -1

// PlanLimits are what a plan allows.
type PlanLimits struct {
	APIAccess        bool `json:"apiAccess" yaml:"apiAccess"`
	Chatbots         int  `json:"chatbots" yaml:"chatbots"`
	MessagesPerMin   int  `json:"messagesPerMinute" yaml:"messagesPerMinute"`
	AIRepliesPerMin  int  `json:"aiRepliesPerMinute" yaml:"aiRepliesPerMinute"`
	Webhooks         bool `json:"webhooks" yaml:"webhooks"`
	MessagesPerMonth int  `json:"messagesPerMonth" yaml:"messagesPerMonth"`
}

// DocumentedPlans is the DESIGN table: the reference's numbers, ours where it is silent.
// Webhooks are included in Scale and Enterprise; Starter and Growth get them only with the
// webhooks add-on on the account (Account.Addons, AddonWebhooks), as the billing and
// webhooks pages say.
func DocumentedPlans() map[Plan]PlanLimits {
	return map[Plan]PlanLimits{
		PlanTrial:      {APIAccess: false, Chatbots: 1, MessagesPerMin: 0, AIRepliesPerMin: 0, Webhooks: false, MessagesPerMonth: 0},
		PlanStarter:    {APIAccess: true, Chatbots: 1, MessagesPerMin: 600, AIRepliesPerMin: 150, Webhooks: false, MessagesPerMonth: 2000},
		PlanGrowth:     {APIAccess: true, Chatbots: 2, MessagesPerMin: 3000, AIRepliesPerMin: 750, Webhooks: false, MessagesPerMonth: 10000},
		PlanScale:      {APIAccess: true, Chatbots: 3, MessagesPerMin: 12000, AIRepliesPerMin: 3000, Webhooks: true, MessagesPerMonth: 40000},
		PlanEnterprise: {APIAccess: true, Chatbots: Unlimited, MessagesPerMin: 60000, AIRepliesPerMin: 15000, Webhooks: true, MessagesPerMonth: Unlimited},
	}
}

// ParsePlan reads a plan name in any case.
func ParsePlan(s string) (Plan, error) {
	p := Plan(strings.ToLower(strings.TrimSpace(s)))
	switch p {
	case PlanTrial, PlanStarter, PlanGrowth, PlanScale, PlanEnterprise:
		return p, nil
	}
	return "", fmt.Errorf("unknown plan %q: want trial, starter, growth, scale or enterprise", s)
}

// Role is a user's role in an account.
type Role string

// The roles.
const (
	RoleSuperAdmin Role = "SUPER_ADMIN"
	RoleAdmin      Role = "ADMIN"
	RoleEditor     Role = "EDITOR"
	RoleAgent      Role = "AGENT"
)

// Permission is what an operation needs.
type Permission string

// The reference's permissions.
const (
	PermView         Permission = "CHATBOT_VIEW"
	PermEditSettings Permission = "EDIT_CHATBOT_SETTINGS"
	PermEdit         Permission = "CHATBOT_EDIT"
	PermDelete       Permission = "CHATBOT_DELETE"
	PermManage       Permission = "CHATBOT_MANAGE"
)

// Can reports whether a role holds a permission (DESIGN: SUPER_ADMIN and ADMIN hold all;
// EDITOR holds view, settings and manage; AGENT holds view and manage).
func (r Role) Can(p Permission) bool {
	switch r {
	case RoleSuperAdmin, RoleAdmin:
		return true
	case RoleEditor:
		return p == PermView || p == PermEditSettings || p == PermManage
	case RoleAgent:
		return p == PermView || p == PermManage
	}
	return false
}

// ParseRole reads a role name in any case.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToUpper(strings.TrimSpace(s)))
	switch r {
	case RoleSuperAdmin, RoleAdmin, RoleEditor, RoleAgent:
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q", s)
}
