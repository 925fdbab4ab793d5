package proxy

import (
	"encoding/json"
	"strings"
	"time"
)

// learnRequestSecrets teaches the redactor the request's bearer key, key and token headers
// and every secret-named string field of its JSON body (a webhook secret).
func (p *Proxy) learnRequestSecrets(ex *exchange) {
	for _, v := range ex.header.Values("Authorization") {
		_, tok, ok := strings.Cut(v, " ")
		if !ok {
			tok = v
		}
		p.red.Add(strings.TrimSpace(tok))
	}
	for _, h := range []string{"X-Api-Key", "X-Webhook-Token", "Cookie"} {
		for _, v := range ex.header.Values(h) {
			p.red.Add(v)
		}
	}
	if ex.reqBody != nil {
		select {
		case <-ex.reqDone:
			p.learnBodySecrets(ex.reqBody)
		default: // the transport still holds it: the worker looks once it is done
		}
	}
}

// learnResponseSecrets learns the secret-named fields of the answer (a sandbox's key).
func (p *Proxy) learnResponseSecrets(ex *exchange) {
	if ex.reqBody != nil {
		select {
		case <-ex.reqDone:
			p.learnBodySecrets(ex.reqBody)
		case <-time.After(5 * time.Second):
		}
	}
	p.learnBodySecrets(ex.respBody)
}

func (p *Proxy) learnBodySecrets(c *capture) {
	if c == nil || c.truncated || c.buf.Len() == 0 {
		return
	}
	var v any
	if json.Unmarshal(c.buf.Bytes(), &v) == nil {
		p.walkSecrets("", v)
	}
}

func (p *Proxy) walkSecrets(name string, v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			p.walkSecrets(k, x)
		}
	case []any:
		for _, x := range t {
			p.walkSecrets(name, x)
		}
	case string:
		if len(t) >= 8 && looksSecret(name) {
			p.red.Add(t)
		}
	}
}

func looksSecret(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"secret", "token", "apikey", "api_key", "password"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}
