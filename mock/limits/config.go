package limits

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/contextgpt/sandbox/mock/plans"
	"go.yaml.in/yaml/v3"
)

// Rate is a sliding-window limit: Requests per Window.
type Rate struct {
	Requests int
	Window   time.Duration
}

// Config is every number the limits read. Unlimited (-1) turns one limit off.
type Config struct {
	// Name is how GET /__mock/health reports the setting: "documented" or a file's path.
	Name string
	// PerIP limits each client IP on /api/* except /api/v1/chatting/* (before auth).
	PerIP Rate
	// PerUser limits each user on all of /api/* (after auth).
	PerUser Rate
	// UploadConcurrency is how many upload requests an account may have in flight.
	UploadConcurrency int
	// PlanWindow is the window of the plans' messages/min and AI replies/min (60 s).
	PlanWindow time.Duration
	// Plans is the plan table (messages/min, AI replies/min, messages/month and the rest).
	Plans map[plans.Plan]plans.Limits
	// Caps bound what the store holds; a zero field keeps store.DefaultCaps' number. With
	// --limits off the default caps still apply: they guard memory, not a plan.
	Caps Caps
}

// Caps are the store's caps on what clients can make it hold (the mock converts them to
// store.Caps, which enforces them; README "Limits and safety").
type Caps struct {
	Accounts             int
	ChatbotsPerAccount   int
	Chatbots             int
	ThreadsPerAccount    int
	Threads              int
	MessagesPerAccount   int
	Messages             int
	DeliveriesPerChatbot int
	Deliveries           int
	// Per chatbot.
	StartersPerChatbot      int
	FollowUpsPerChatbot     int
	InstructionsPerChatbot  int
	PersonasPerChatbot      int
	LocalizationsPerChatbot int
}

// Documented is the DESIGN table: 100 req/s per IP, 500 req/60 s per user, 10 uploads in
// flight per account, and the plans' documented numbers.
func Documented() *Config {
	return &Config{
		Name:              "documented",
		PerIP:             Rate{Requests: 100, Window: time.Second},
		PerUser:           Rate{Requests: 500, Window: 60 * time.Second},
		UploadConcurrency: 10,
		PlanWindow:        60 * time.Second,
		Plans:             plans.Documented(),
	}
}

// fileRate and filePlan are the YAML shapes; a field left out keeps its documented value.
type fileRate struct {
	Requests *int    `yaml:"requests"`
	Window   *string `yaml:"window"`
}

type filePlan struct {
	APIAccess        *bool `yaml:"apiAccess"`
	Chatbots         *int  `yaml:"chatbots"`
	MessagesPerMin   *int  `yaml:"messagesPerMinute"`
	AIRepliesPerMin  *int  `yaml:"aiRepliesPerMinute"`
	Webhooks         *bool `yaml:"webhooks"`
	MessagesPerMonth *int  `yaml:"messagesPerMonth"`
}

type file struct {
	PerIP             *fileRate           `yaml:"perIP"`
	PerUser           *fileRate           `yaml:"perUser"`
	UploadConcurrency *int                `yaml:"uploadConcurrency"`
	PlanWindow        *string             `yaml:"planWindow"`
	Plans             map[string]filePlan `yaml:"plans"`
	Caps              *fileCaps           `yaml:"caps"`
}

type fileCaps struct {
	Accounts             *int `yaml:"accounts"`
	ChatbotsPerAccount   *int `yaml:"chatbotsPerAccount"`
	Chatbots             *int `yaml:"chatbots"`
	ThreadsPerAccount    *int `yaml:"threadsPerAccount"`
	Threads              *int `yaml:"threads"`
	MessagesPerAccount   *int `yaml:"messagesPerAccount"`
	Messages             *int `yaml:"messages"`
	DeliveriesPerChatbot *int `yaml:"deliveriesPerChatbot"`
	Deliveries           *int `yaml:"deliveries"`
	// Per chatbot.
	StartersPerChatbot      *int `yaml:"startersPerChatbot"`
	FollowUpsPerChatbot     *int `yaml:"followUpsPerChatbot"`
	InstructionsPerChatbot  *int `yaml:"instructionsPerChatbot"`
	PersonasPerChatbot      *int `yaml:"personasPerChatbot"`
	LocalizationsPerChatbot *int `yaml:"localizationsPerChatbot"`
}

func (f *fileCaps) apply(c *Caps) error {
	if f == nil {
		return nil
	}
	for _, v := range []struct {
		name string
		in   *int
		out  *int
	}{
		{"accounts", f.Accounts, &c.Accounts},
		{"chatbotsPerAccount", f.ChatbotsPerAccount, &c.ChatbotsPerAccount},
		{"chatbots", f.Chatbots, &c.Chatbots},
		{"threadsPerAccount", f.ThreadsPerAccount, &c.ThreadsPerAccount},
		{"threads", f.Threads, &c.Threads},
		{"messagesPerAccount", f.MessagesPerAccount, &c.MessagesPerAccount},
		{"messages", f.Messages, &c.Messages},
		{"deliveriesPerChatbot", f.DeliveriesPerChatbot, &c.DeliveriesPerChatbot},
		{"deliveries", f.Deliveries, &c.Deliveries},
		{"startersPerChatbot", f.StartersPerChatbot, &c.StartersPerChatbot},
		{"followUpsPerChatbot", f.FollowUpsPerChatbot, &c.FollowUpsPerChatbot},
		{"instructionsPerChatbot", f.InstructionsPerChatbot, &c.InstructionsPerChatbot},
		{"personasPerChatbot", f.PersonasPerChatbot, &c.PersonasPerChatbot},
		{"localizationsPerChatbot", f.LocalizationsPerChatbot, &c.LocalizationsPerChatbot},
	} {
		if v.in == nil {
			continue
		}
		if *v.in < Unlimited || *v.in == 0 {
			return fmt.Errorf("limits: caps.%s: %d is not a positive number or -1", v.name, *v.in)
		}
		*v.out = *v.in
	}
	return nil
}

// Parse reads a limits file: YAML that overrides any documented number, e.g.
//
//	perIP: {requests: 1000, window: 1s}
//	perUser: {requests: -1}          # -1: unlimited
//	uploadConcurrency: 2
//	plans:
//	  starter: {messagesPerMinute: 5, aiRepliesPerMinute: 2, messagesPerMonth: 20}
//	caps: {threads: 2000000, messages: 5000000}   # what the store may hold (README "Limits and safety")
//
// Unknown keys are errors, so a typo never silently keeps a documented number.
func Parse(name string, data []byte) (*Config, error) {
	cfg := Documented()
	cfg.Name = name
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) { // empty: documented
		return nil, fmt.Errorf("limits: %w", err)
	}
	var err error
	if cfg.PerIP, err = f.PerIP.apply("perIP", cfg.PerIP); err != nil {
		return nil, err
	}
	if cfg.PerUser, err = f.PerUser.apply("perUser", cfg.PerUser); err != nil {
		return nil, err
	}
	if f.UploadConcurrency != nil {
		if *f.UploadConcurrency < Unlimited {
			return nil, fmt.Errorf("limits: uploadConcurrency: %d is below -1", *f.UploadConcurrency)
		}
		cfg.UploadConcurrency = *f.UploadConcurrency
	}
	if f.PlanWindow != nil {
		if cfg.PlanWindow, err = parseWindow("planWindow", *f.PlanWindow); err != nil {
			return nil, err
		}
	}
	names := make([]string, 0, len(f.Plans))
	for n := range f.Plans {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		plan, err := plans.Parse(n)
		if err != nil {
			return nil, fmt.Errorf("limits: plans: %w", err)
		}
		fp := f.Plans[n]
		pl := cfg.Plans[plan]
		for _, v := range []struct {
			name string
			in   *int
			out  *int
		}{
			{"chatbots", fp.Chatbots, &pl.Chatbots},
			{"messagesPerMinute", fp.MessagesPerMin, &pl.MessagesPerMin},
			{"aiRepliesPerMinute", fp.AIRepliesPerMin, &pl.AIRepliesPerMin},
			{"messagesPerMonth", fp.MessagesPerMonth, &pl.MessagesPerMonth},
		} {
			if v.in == nil {
				continue
			}
			if *v.in < Unlimited {
				return nil, fmt.Errorf("limits: plans.%s.%s: %d is below -1", n, v.name, *v.in)
			}
			*v.out = *v.in
		}
		if fp.APIAccess != nil {
			pl.APIAccess = *fp.APIAccess
		}
		if fp.Webhooks != nil {
			pl.Webhooks = *fp.Webhooks
		}
		cfg.Plans[plan] = pl
	}
	if err := f.Caps.apply(&cfg.Caps); err != nil {
		return nil, err
	}
	return cfg, nil
}

func (r *fileRate) apply(name string, base Rate) (Rate, error) {
	if r == nil {
		return base, nil
	}
	if r.Requests != nil {
		if *r.Requests < Unlimited {
			return base, fmt.Errorf("limits: %s.requests: %d is below -1", name, *r.Requests)
		}
		base.Requests = *r.Requests
	}
	if r.Window != nil {
		w, err := parseWindow(name+".window", *r.Window)
		if err != nil {
			return base, err
		}
		base.Window = w
	}
	return base, nil
}

func parseWindow(name, s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("limits: %s: %w", name, err)
	}
	if d <= 0 {
		return 0, fmt.Errorf("limits: %s: %s is not positive", name, s)
	}
	return d, nil
}

// Load reads the --limits setting: "documented" (or ""), "off" (nil: nothing is limited) or
// the path of a limits file.
func Load(setting string) (*Config, error) {
	switch setting {
	case "", "documented":
		return Documented(), nil
	case "off":
		return nil, nil
	}
	data, err := os.ReadFile(setting)
	if err != nil {
		return nil, fmt.Errorf("limits: %w", err)
	}
	return Parse(setting, data)
}
