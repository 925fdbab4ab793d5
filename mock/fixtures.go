package mock

import (
	"bytes"
	"fmt"
	"sort"

	"go.yaml.in/yaml/v3"

	"github.com/contextgpt/sandbox/fixtures"
	"github.com/contextgpt/sandbox/mock/plans"
	"github.com/contextgpt/sandbox/mock/store"
)

func defaultFixtures() []byte { return fixtures.Default() }

// fixtureFile is the YAML shape of fixtures/default.yaml.
type fixtureFile struct {
	Accounts []struct {
		ID     string   `yaml:"id"`
		Name   string   `yaml:"name"`
		Plan   string   `yaml:"plan"`
		Addons []string `yaml:"addons"`
	} `yaml:"accounts"`
	Users []struct {
		ID          string            `yaml:"id"`
		Name        string            `yaml:"name"`
		Email       string            `yaml:"email"`
		Memberships map[string]string `yaml:"memberships"`
		// Chatbots maps chatbot id → the user's role on it (members other than
		// SUPER_ADMIN reach only these chatbots).
		Chatbots map[string]string `yaml:"chatbots"`
		Keys     []struct {
			Key     string `yaml:"key"`
			Account string `yaml:"account"`
			Name    string `yaml:"name"`
		} `yaml:"keys"`
	} `yaml:"users"`
	Chatbots []fixtureChatbot `yaml:"chatbots"`
}

type fixturePair struct {
	ButtonTitle   *string `yaml:"buttonTitle"`
	ButtonMessage *string `yaml:"buttonMessage"`
	LinkText      *string `yaml:"linkText"`
	LinkSrc       *string `yaml:"linkSrc"`
	Esclate       bool    `yaml:"esclate"`
}

type fixtureChatbot struct {
	ID           string        `yaml:"id"`
	Account      string        `yaml:"account"`
	CreatedBy    string        `yaml:"createdBy"`
	Name         string        `yaml:"name"`
	Description  string        `yaml:"description"`
	TextSnippet  *string       `yaml:"textSnippet"`
	Starters     []fixturePair `yaml:"starters"`
	FollowUps    []fixturePair `yaml:"followUps"`
	Instructions []struct {
		Title       string `yaml:"title"`
		Instruction string `yaml:"instruction"`
		Active      bool   `yaml:"active"`
	} `yaml:"instructions"`
	Personas []struct {
		Title        string  `yaml:"title"`
		Instructions string  `yaml:"instructions"`
		Description  *string `yaml:"description"`
		Active       bool    `yaml:"active"`
	} `yaml:"personas"`
	Threads []struct {
		Title        *string  `yaml:"title"`
		VisitorName  *string  `yaml:"visitorName"`
		VisitorEmail *string  `yaml:"visitorEmail"`
		VisitorPhone *string  `yaml:"visitorPhone"`
		Anonymous    *bool    `yaml:"anonymous"`
		Mode         string   `yaml:"mode"`
		Tags         []string `yaml:"tags"`
		Resolved     bool     `yaml:"resolved"`
		Important    bool     `yaml:"important"`
		Escalated    bool     `yaml:"escalated"`
		Messages     []struct {
			Role      string  `yaml:"role"`
			Content   string  `yaml:"content"`
			AgentName *string `yaml:"agentName"`
		} `yaml:"messages"`
	} `yaml:"threads"`
}

// loadFixtures puts the configured fixtures into the (empty) store.
func (m *Mock) loadFixtures() error {
	if len(bytes.TrimSpace(m.fixtures)) == 0 {
		return nil
	}
	return applyFixtures(m.store, m.fixtures)
}

func applyFixtures(st *store.Store, data []byte) error {
	var f fixtureFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("fixtures: %w", err)
	}
	for _, load := range []func(*store.Store, *fixtureFile) error{fixtureAccounts, fixtureUsers, fixtureChatbots, fixtureChatbotMembers} {
		if err := load(st, &f); err != nil {
			return err
		}
	}
	return nil
}

// fixtureAccounts creates the accounts with their plans and add-ons.
func fixtureAccounts(st *store.Store, f *fixtureFile) error {
	for _, a := range f.Accounts {
		plan, err := plans.Parse(a.Plan)
		if err != nil {
			return fmt.Errorf("fixtures: account %s: %w", a.ID, err)
		}
		var addons []string
		for _, x := range a.Addons {
			addon, ok := plans.ParseAddon(x)
			if !ok {
				return fmt.Errorf("fixtures: account %s: unknown add-on %q (want one of %v)", a.ID, x, plans.Addons())
			}
			addons = append(addons, addon)
		}
		if _, err := st.CreateAccount(store.NewAccount{ID: a.ID, Name: a.Name, Plan: plan, Addons: addons}); err != nil {
			return fmt.Errorf("fixtures: account %s: %w", a.ID, err)
		}
	}
	return nil
}

// fixtureUsers creates the users, their account memberships and their API keys.
func fixtureUsers(st *store.Store, f *fixtureFile) error {
	for _, u := range f.Users {
		mem := map[string]store.Role{}
		for acc, r := range u.Memberships {
			role, err := store.ParseRole(r)
			if err != nil {
				return fmt.Errorf("fixtures: user %s: %w", u.ID, err)
			}
			mem[acc] = role
		}
		if _, err := st.CreateUser(store.NewUser{ID: u.ID, Name: u.Name, Email: u.Email, Memberships: mem}); err != nil {
			return fmt.Errorf("fixtures: user %s: %w", u.ID, err)
		}
		for _, k := range u.Keys {
			if _, err := st.CreateAPIKey(u.ID, k.Account, k.Name, k.Key); err != nil {
				return fmt.Errorf("fixtures: key of user %s: %w", u.ID, err)
			}
		}
	}
	return nil
}

// fixtureChatbots creates the chatbots and seeds their content.
func fixtureChatbots(st *store.Store, f *fixtureFile) error {
	for _, c := range f.Chatbots {
		if _, err := st.CreateChatbot(c.Account, c.CreatedBy, store.NewChatbot{ID: c.ID, Name: c.Name, Description: c.Description}); err != nil {
			return fmt.Errorf("fixtures: chatbot %s: %w", c.ID, err)
		}
		if err := st.SeedChatbot(c.ID, chatbotSeed(c)); err != nil {
			return fmt.Errorf("fixtures: chatbot %s: %w", c.ID, err)
		}
	}
	return nil
}

// chatbotSeed is a fixture chatbot's content as the store seeds it.
func chatbotSeed(c fixtureChatbot) store.ChatbotSeed {
	seed := store.ChatbotSeed{TextSnippet: c.TextSnippet}
	for _, p := range c.Starters {
		seed.Starters = append(seed.Starters, store.PairSeed{ButtonTitle: p.ButtonTitle, ButtonMessage: p.ButtonMessage, LinkText: p.LinkText, LinkSrc: p.LinkSrc})
	}
	for _, p := range c.FollowUps {
		seed.FollowUps = append(seed.FollowUps, store.PairSeed{ButtonTitle: p.ButtonTitle, ButtonMessage: p.ButtonMessage, LinkText: p.LinkText, LinkSrc: p.LinkSrc, Esclate: p.Esclate})
	}
	for _, in := range c.Instructions {
		seed.Instructions = append(seed.Instructions, store.InstructionSeed{Title: in.Title, Instruction: in.Instruction, Active: in.Active})
	}
	for _, p := range c.Personas {
		seed.Personas = append(seed.Personas, store.PersonaSeed{Title: p.Title, Instructions: p.Instructions, Description: p.Description, Active: p.Active})
	}
	for _, t := range c.Threads {
		ts := store.ThreadSeed{
			NewThread: store.NewThread{Title: t.Title, VisitorName: t.VisitorName, VisitorEmail: t.VisitorEmail, VisitorPhone: t.VisitorPhone, Anonymous: t.Anonymous, Mode: t.Mode},
			Tags:      t.Tags, Resolved: t.Resolved, Important: t.Important, Escalated: t.Escalated,
		}
		for _, msg := range t.Messages {
			ts.Messages = append(ts.Messages, store.NewMessage{Role: msg.Role, Content: msg.Content, AgentName: msg.AgentName})
		}
		seed.Threads = append(seed.Threads, ts)
	}
	return seed
}

// fixtureChatbotMembers adds users to chatbots (after the chatbots exist), in id order.
func fixtureChatbotMembers(st *store.Store, f *fixtureFile) error {
	for _, u := range f.Users {
		bots := make([]string, 0, len(u.Chatbots))
		for id := range u.Chatbots {
			bots = append(bots, id)
		}
		sort.Strings(bots)
		for _, id := range bots {
			role, err := store.ParseRole(u.Chatbots[id])
			if err != nil {
				return fmt.Errorf("fixtures: user %s: chatbot %s: %w", u.ID, id, err)
			}
			if _, err := st.SetChatbotMember(id, u.ID, &role); err != nil {
				return fmt.Errorf("fixtures: user %s: chatbot %s: %w", u.ID, id, err)
			}
		}
	}
	return nil
}
