package conformance

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/conformance/arazzo"
)

func docWithSource(t *testing.T, url, path string) *arazzo.Document {
	t.Helper()
	d, err := arazzo.Parse([]byte(`arazzo: 1.0.1
info: {title: t, version: "1"}
sourceDescriptions:
  - {name: api, url: "`+url+`", type: openapi}
workflows:
  - workflowId: w
    steps:
      - {stepId: s, operationId: getItem, parameters: [{name: id, in: path, value: x}]}
`), path)
	if err != nil {
		t.Fatalf("arazzo.Parse: %v", err)
	}
	return d
}

// A sourceDescription loads what it names: a file named contextgpt.yaml that is not the
// project's spec and does not exist is an error, not the embedded spec.
func TestSourceLoadsWhatItNames(t *testing.T) {
	_, err := New(Config{BaseURL: "http://127.0.0.1:1/api"}, []*arazzo.Document{docWithSource(t, "elsewhere/contextgpt.yaml", "testdata/t.arazzo.yaml")})
	if err == nil {
		t.Fatalf("New: got no error, want one")
	}
	if got := err.Error(); !strings.Contains(got, "elsewhere/contextgpt.yaml") {
		t.Errorf("err.Error() = %q, want it to contain %q", got, "elsewhere/contextgpt.yaml")
	}
	// The project's own spec path falls back to the embedded spec when the file is absent
	// (the built-in suite, embedded in the binary).
	d := docWithSource(t, "../spec/contextgpt.yaml", "scenarios/x.arazzo.yaml")
	d.Workflows[0].Steps[0].OperationID = "getMyChatbots"
	d.Workflows[0].Steps[0].Parameters = nil
	_, err = New(Config{BaseURL: "http://127.0.0.1:1/api"}, []*arazzo.Document{d})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
}

// An http(s) source is fetched, within a size cap.
func TestSourceFetchedOverHTTP(t *testing.T) {
	fake, err := os.ReadFile("testdata/fake.openapi.yaml")
	if err != nil {
		t.Fatalf("os.ReadFile: %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/fake.openapi.yaml":
			_, _ = w.Write(fake)
		case "/huge.yaml":
			_, _ = w.Write([]byte(strings.Repeat("#", sourceMaxBytes+10)))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	r, err := New(Config{BaseURL: "http://127.0.0.1:1/api"}, []*arazzo.Document{docWithSource(t, srv.URL+"/fake.openapi.yaml", "testdata/t.arazzo.yaml")})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if want := srv.URL + "/fake.openapi.yaml"; r.sources[0].key != want {
		t.Errorf("r.sources[0].key = %q, want %q", r.sources[0].key, want)
	}
	_, err = New(Config{BaseURL: "http://127.0.0.1:1/api"}, []*arazzo.Document{docWithSource(t, srv.URL+"/huge.yaml", "testdata/t.arazzo.yaml")})
	if err == nil {
		t.Fatalf("New: got no error, want one")
	}
	if got := err.Error(); !strings.Contains(got, "larger than 10 MiB") {
		t.Errorf("err.Error() = %q, want it to contain %q", got, "larger than 10 MiB")
	}
	_, err = New(Config{BaseURL: "http://127.0.0.1:1/api"}, []*arazzo.Document{docWithSource(t, srv.URL+"/nope.yaml", "testdata/t.arazzo.yaml")})
	if err == nil {
		t.Fatalf("New: got no error, want one")
	}
	if got := err.Error(); !strings.Contains(got, "answered 404") {
		t.Errorf("err.Error() = %q, want it to contain %q", got, "answered 404")
	}
}
