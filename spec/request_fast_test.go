package spec

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestFastBodyAcceptsOnlyWhatKinAccepts runs every JSON request body of the document (the
// examples and their mutations of TestValidateRequestBodyMatchesKin) through the compiled
// acceptor and kin's VisitJSON: whatever the acceptor accepts, kin must accept. It must
// also take the thread create's example (the path is in use), and refuse to compile a
// schema with a keyword it does not read.
func TestFastBodyAcceptsOnlyWhatKinAccepts(t *testing.T) {
	s := mustLoad(t, ContextGPTDocument())
	compiled, accepted := 0, 0
	for _, item := range s.Doc().Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
				continue
			}
			schema := mt.Schema.Value
			if compileFast(schema, s.stringFormats, map[*openapi3.Schema]bool{}) != nil {
				compiled++
			}
			for _, body := range requestBodyCases(t, mt) {
				value, _, err := decodeJSONBody(body, nil)
				if err != nil {
					continue
				}
				if !fastBodyAccepts(schema, value, s.stringFormats, s.bodySchemaOptions) {
					continue
				}
				accepted++
				if kerr := schema.VisitJSON(value, s.bodySchemaOptions...); kerr != nil {
					t.Fatalf("%s: the acceptor took %s, kin refuses it: %v", op.OperationID, body, kerr)
				}
			}
		}
	}
	t.Logf("%d schemas compiled, %d bodies accepted", compiled, accepted)
	if compiled < 5 || accepted < 50 {
		t.Fatalf("%d schemas compiled, %d bodies accepted: the acceptor is hardly used", compiled, accepted)
	}
	route, err := s.Match("POST", "/api/v1/chatting/361628903185300001/threads")
	if err != nil {
		t.Fatal(err)
	}
	create := route.Operation.RequestBody.Value.Content.Get("application/json").Schema.Value
	if !fastBodyAccepts(create, map[string]any{"title": "t", "visitorEmail": "ada@example.com", "anonymous": false}, s.stringFormats, s.bodySchemaOptions) {
		t.Fatal("the thread create's body is not taken by the acceptor")
	}
	if fastBodyAccepts(create, map[string]any{"visitorEmail": "not an e-mail"}, s.stringFormats, s.bodySchemaOptions) {
		t.Fatal("the acceptor took an e-mail kin's format refuses")
	}
	if fs := compileFast(create, s.stringFormats, map[*openapi3.Schema]bool{}); fs == nil || fs.props["visitorEmail"] == nil ||
		fs.props["visitorEmail"].formatValidator == nil {
		t.Fatal("the thread create's visitorEmail is not checked by the document's e-mail validator directly")
	}
	for _, email := range []string{"ada@example.com", "a@b", "a b@example.com", "@example.com", "ada@", "ada@exa mple.com", "ädä@example.com", ""} {
		fast := fastBodyAccepts(create, map[string]any{"visitorEmail": email}, s.stringFormats, s.bodySchemaOptions)
		kin := create.VisitJSON(map[string]any{"visitorEmail": email}, s.bodySchemaOptions...) == nil
		if fast && !kin {
			t.Fatalf("the acceptor took e-mail %q, kin refuses it", email)
		}
	}
	pattern := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}, Pattern: "^a$"}
	if compileFast(pattern, s.stringFormats, map[*openapi3.Schema]bool{}) != nil {
		t.Fatal("a schema with a pattern was compiled")
	}
}
