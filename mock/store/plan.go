package store

import (
	"fmt"
	"strings"
)

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
