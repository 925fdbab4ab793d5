package spec

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
)

func TestValidateRequestMapsErrorsToFieldPaths(t *testing.T) {
	s := mustLoad(t, ContextGPTDocument())
	cases := []struct {
		name, method, path, body string
		wantPaths                []string
		missing                  bool
	}{
		{"missing required", "POST", "/api/v1/chatbots/account/1/create-chatbot", `{"description":"x"}`, []string{"[name]"}, true},
		{"too long", "POST", "/api/v1/chatbots/account/1/create-chatbot", `{"name":"n","description":"` + strings.Repeat("x", 51) + `"}`, []string{"[description]"}, false},
		{"nested array item", "POST", "/api/v1/chatbots/chatbot/1/lead-settings", `{"customerFormField":[{"display_label":"Name","field_name":"name","field_type":"nope","required":true}]}`, []string{"[customerFormField 0 field_type]"}, false},
		{"query out of range", "GET", "/api/v1/chatting/1/threads?limit=101", "", []string{"[limit]"}, false},
		{"malformed json", "POST", "/api/v1/chatbots/account/1/create-chatbot", `{"name":`, []string{"[]"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			route, err := s.Match(tc.method, req.URL.EscapedPath())
			if err != nil {
				t.Fatal(err)
			}
			err = s.ValidateRequest(context.Background(), req, route)
			var re *RequestError
			if !errors.As(err, &re) {
				t.Fatalf("got %v; want *RequestError", err)
			}
			var got []string
			for _, f := range re.Fields {
				got = append(got, fmt.Sprint(f.Path))
			}
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(tc.wantPaths, ",") {
				t.Fatalf("got paths %v; want %v (%v)", got, tc.wantPaths, re)
			}
			if re.MissingRequired != tc.missing {
				t.Fatalf("got MissingRequired %v; want %v", re.MissingRequired, tc.missing)
			}
		})
	}
}
