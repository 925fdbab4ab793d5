package store

import (
	"regexp"
	"sort"
	"strings"

	"github.com/contextgpt/sandbox/mock/apierr"
)

// LeadInput is contact details a visitor gives; nil fields are not given.
type LeadInput struct {
	Name  *string
	Email *string
	Phone *string
}

// Empty tells whether nothing is given.
func (in LeadInput) Empty() bool { return in.Name == nil && in.Email == nil && in.Phone == nil }

var (
	emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	phonePattern = regexp.MustCompile(`\+?\(?\d[\d\s().\-]{5,}\d`)
)

var wholeEmail = regexp.MustCompile(`^[A-Za-z0-9.!#$%&'*+/=?^_{|}~\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+$`)

// ValidEmail tells whether s is an e-mail address (local part, @, a dotted domain).
func ValidEmail(s string) bool { return len(s) <= 254 && wholeEmail.MatchString(s) }

// FindContact reads an e-mail address and a phone number (7 to 15 digits, as E.164
// allows) out of a visitor's text; what is not there stays nil.
func FindContact(text string) LeadInput {
	var out LeadInput
	if e := emailPattern.FindString(text); e != "" {
		out.Email = &e
	}
	rest := emailPattern.ReplaceAllString(text, " ")
	for _, p := range phonePattern.FindAllString(rest, -1) {
		digits := 0
		for _, r := range p {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits >= 7 && digits <= 15 {
			p = strings.TrimSpace(p)
			out.Phone = &p
			break
		}
	}
	return out
}

// leadCollectionOn tells whether the chatbot's lead settings collect leads.
func leadCollectionOn(c *Chatbot) bool {
	on, _ := c.LeadSettings["enableLeadCollection"].(bool)
	return c.LeadSettings != nil && on
}

// autoEscalateOnLead tells whether capturing a lead escalates the thread.
func autoEscalateOnLead(c *Chatbot) bool {
	on, _ := c.LeadSettings["autoEscalateOnLeadCapture"].(bool)
	return on
}

func cloneLead(l *Lead) Lead {
	out := *l
	out.Name, out.Email, out.Phone = clonePtr(l.Name), clonePtr(l.Email), clonePtr(l.Phone)
	return out
}

// humanSupportOn tells whether the chatbot's human-support settings exist and have
// enableHumanSupport on: only then does a visitor escalate.
func humanSupportOn(c *Chatbot) bool {
	on, _ := c.HumanSupport["enableHumanSupport"].(bool)
	return c.HumanSupport != nil && on
}

func samePtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// captureLeadLocked records (or updates) the visitor's lead for a thread, copies the
// details onto the thread and fires NEW_LEAD. One lead per visitor of a chatbot. Each
// source event fires at most once: the same details submitted again change nothing and
// fire nothing; new or changed details are a new capture (capturedAt, NEW_LEAD).
func (s *Store) captureLeadLocked(c *Chatbot, t *Thread, in LeadInput) *Lead {
	now := s.now()
	visitor := ""
	if t.VisitorID != nil {
		visitor = *t.VisitorID
	}
	l := s.idx.leadsByVisitor[leadKeyOf(c.ID, visitor, t.ID)]
	fresh := l == nil
	if fresh {
		l = &Lead{ID: s.freshUUIDLocked(), ChatbotID: c.ID, ThreadID: t.ID, VisitorID: visitor}
		s.leads[l.ID] = l
		s.indexLeadLocked(l)
	}
	changed := fresh || (in.Name != nil && !samePtr(in.Name, l.Name)) || (in.Email != nil && !samePtr(in.Email, l.Email)) ||
		(in.Phone != nil && !samePtr(in.Phone, l.Phone))
	if in.Name != nil {
		l.Name = clonePtr(in.Name)
		t.VisitorName = clonePtr(in.Name)
	}
	if in.Email != nil {
		l.Email = clonePtr(in.Email)
		t.VisitorEmail = clonePtr(in.Email)
	}
	if in.Phone != nil {
		l.Phone = clonePtr(in.Phone)
		t.VisitorPhone = clonePtr(in.Phone)
	}
	t.Anonymous = false
	s.syncThreadLocked(t) // anonymous is a filter: the thread moves now, changed or not
	if !changed {
		return l
	}
	l.CapturedAt = now
	t.UpdatedAt = now
	s.syncThreadLocked(t)
	s.emit(leadEventLocked(c, l, s.ids.next()))
	return l
}

// Leads lists a chatbot's leads, oldest capture first (id as tie-break).
func (s *Store) Leads(chatbotID string) []Lead {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Lead, 0, len(s.idx.leadsByBot[chatbotID]))
	for _, l := range s.idx.leadsByBot[chatbotID] {
		out = append(out, cloneLead(l))
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CapturedAt.Equal(out[j].CapturedAt) {
			return out[i].CapturedAt.Before(out[j].CapturedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// errLeadCollectionDisabled is the contact helper's 409 (a control-plane answer).
func errLeadCollectionDisabled(chatbotID string) error {
	return apierr.New(apierr.LeadCollectionDisabled, "lead collection is off for chatbot %s", chatbotID)
}
