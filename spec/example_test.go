package spec_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/contextgpt/sandbox/spec"
)

// Match finds the operation of a request and its path parameters; a known path with
// another method is a *MethodNotAllowedError that lists the methods the path has.
func ExampleSpec_Match() {
	s, err := spec.Shared(spec.ContextGPTDocument())
	if err != nil {
		panic(err)
	}
	route, err := s.Match(http.MethodGet, "/api/v1/chatting/361628903185310001/threads")
	fmt.Println(route.OperationID, route.PathParams["chatbotId"], err)

	_, err = s.Match(http.MethodPut, "/api/v1/chatting/361628903185310001/threads")
	var mna *spec.MethodNotAllowedError
	fmt.Println(errors.As(err, &mna), mna.Allow)
	// Output:
	// listThreads 361628903185310001 <nil>
	// true [GET POST]
}

// ValidateRequest checks a request against its operation; a failure names the fields.
func ExampleSpec_ValidateRequest() {
	s, err := spec.Shared(spec.ContextGPTDocument())
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/api/v1/chatbots/chatbot/361628903185310001/personas",
		strings.NewReader(`{"title": "Support"}`))
	r.Header.Set("Content-Type", "application/json")
	route, _ := s.Match(r.Method, r.URL.Path)
	err = s.ValidateRequest(r.Context(), r, route)
	var re *spec.RequestError
	if errors.As(err, &re) {
		fmt.Println(route.OperationID, "missing required:", re.MissingRequired, "code:", route.MissingFieldCode)
		fmt.Println(re.Fields[0].Path)
	}
	// Output:
	// createPersona missing required: true code: MISSING_REQUIRED_FIELD
	// [instructions]
}

// ValidateResponse checks a response (status, headers, body) against the operation; each
// problem has a stable check code and a JSON pointer.
func ExampleResponseValidator_ValidateResponse() {
	v, err := spec.SharedResponseValidator(spec.ContextGPTDocument())
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/api/v1/chatbots/my-chatbots", nil)
	header := http.Header{"Content-Type": {"application/json"}}
	body := `{"statusCode":200,"success":true,"message":"Success","data":{"accounts":[],"totalCount":"none"}}`
	for _, p := range v.ValidateResponse(req, http.StatusOK, header, []byte(body)) {
		fmt.Println(p.Check, p.Pointer)
	}
	// Output:
	// body-schema /data/totalCount
}
