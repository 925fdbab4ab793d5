package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/spec"
	"go.yaml.in/yaml/v3"
)

// source is one OpenAPI document the steps call, loaded once: the kin-openapi index for
// routing and coverage, the response validator for the checks (its fast path on the same
// kin-openapi document; libopenapi-validator only for a response the fast path cannot vouch
// for, built then).
type source struct {
	key       string // "contextgpt.yaml", "mock-admin.yaml" or a file path
	spec      *spec.Spec
	validator *spec.ResponseValidator
	// control marks the mock's control plane: it resolves against the target's origin and
	// its responses have no API envelope.
	control bool
}

// operation is a step bound to its source and route.
type operation struct {
	sourceName string // the sourceDescription's name in the document
	src        *source
	route      *spec.Route
}

type sourceSet struct {
	strict bool // validators flag undeclared properties
	apiDoc []byte
	byKey  map[string]*source
}

func newSourceSet(apiDoc []byte) *sourceSet {
	return &sourceSet{apiDoc: apiDoc, byKey: map[string]*source{}}
}

// Limits of a sourceDescription fetched over https.
const (
	sourceFetchTimeout = 10 * time.Second
	sourceMaxBytes     = 10 << 20
)

// load reads what a sourceDescription's url names: an https:// URL is fetched (with a timeout
// and a size cap); a path is read relative to the Arazzo document. The project's own spec
// paths (.../spec/contextgpt.yaml, .../spec/mock-admin.yaml) fall back to the embedded
// documents when the file is not there (the built-in suite, embedded in the binary, names
// them so), and --spec replaces the API document (contextgpt.yaml). Any other path must exist.
func (s *sourceSet) load(doc *arazzo.Document, sd arazzo.SourceDescription) (*source, error) {
	var data []byte
	var key string
	control := false
	switch {
	case strings.HasPrefix(sd.URL, "https://") || strings.HasPrefix(sd.URL, "http://"):
		key = sd.URL
		if src := s.byKey[key]; src != nil {
			return src, nil
		}
		var err error
		if data, err = fetchSource(sd.URL); err != nil {
			return nil, fmt.Errorf("source %q: %w", sd.Name, err)
		}
		control = path.Base(sd.URL) == "mock-admin.yaml"
	case strings.Contains(sd.URL, "://"):
		return nil, fmt.Errorf("source %q: url %q: a path relative to the workflow file or an https:// URL", sd.Name, sd.URL)
	default:
		resolved := filepath.Join(filepath.Dir(doc.Path), filepath.FromSlash(sd.URL))
		own := ownSpec(resolved)
		key = resolved
		if own != "" {
			key = own // one source, however the documents reach it
		}
		if src := s.byKey[key]; src != nil {
			return src, nil
		}
		control = own == "mock-admin.yaml"
		var err error
		switch {
		case own == "contextgpt.yaml" && s.apiDoc != nil:
			data = s.apiDoc // --spec
		default:
			data, err = os.ReadFile(resolved)
			if errors.Is(err, fs.ErrNotExist) && own == "contextgpt.yaml" {
				data, err = spec.ContextGPTDocument(), nil
			} else if errors.Is(err, fs.ErrNotExist) && own == "mock-admin.yaml" {
				data, err = spec.MockAdminDocument(), nil
			}
		}
		if err != nil {
			return nil, fmt.Errorf("source %q: url %q: %w", sd.Name, sd.URL, err)
		}
	}
	if src := s.byKey[key]; src != nil {
		return src, nil
	}
	sp, err := spec.Shared(data) // once per process per document (tests run many)
	if err != nil {
		return nil, fmt.Errorf("source %q (%s): %w", sd.Name, key, err)
	}
	newValidator := spec.SharedResponseValidator // once per process per document (tests run many)
	if s.strict {
		newValidator = spec.NewStrictResponseValidator
	}
	v, err := newValidator(data)
	if err != nil {
		return nil, fmt.Errorf("source %q (%s): %w", sd.Name, key, err)
	}
	src := &source{key: key, spec: sp, validator: v, control: control}
	s.byKey[key] = src
	return src, nil
}

// ownSpec names the project's spec a path points at ("contextgpt.yaml", "mock-admin.yaml"),
// or "" for any other path.
func ownSpec(p string) string {
	p = filepath.ToSlash(filepath.Clean(p))
	for _, name := range []string{"contextgpt.yaml", "mock-admin.yaml"} {
		if p == "spec/"+name || strings.HasSuffix(p, "/spec/"+name) {
			return name
		}
	}
	return ""
}

// fetchSource gets an OpenAPI document over http(s), within sourceFetchTimeout and
// sourceMaxBytes.
func fetchSource(u string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), sourceFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/yaml, application/json;q=0.9, */*;q=0.5")
	resp, err := newClient(sourceFetchTimeout).Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", u, unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching %s: answered %d", u, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, sourceMaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", u, err)
	}
	if len(data) > sourceMaxBytes {
		return nil, fmt.Errorf("fetching %s: larger than %d MiB", u, sourceMaxBytes>>20)
	}
	return data, nil
}

// bindDocument loads the document's sources and binds each operation step to its route.
func (r *Runner) bindDocument(d *arazzo.Document, set *sourceSet) error {
	byName := map[string]*source{}
	var errs []string
	for _, sd := range d.SourceDescriptions {
		src, err := set.load(d, sd)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		byName[sd.Name] = src
		if !containsSource(r.sources, src) {
			r.sources = append(r.sources, src)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s: %s", d.Path, strings.Join(errs, "; "))
	}
	for _, w := range d.Workflows {
		for _, st := range w.Steps {
			if st.WorkflowID != "" {
				continue
			}
			op, err := bindStep(d, st, byName)
			if err != nil {
				errs = append(errs, fmt.Sprintf("workflow %s, step %s: %v", w.WorkflowID, st.StepID, err))
				continue
			}
			r.bound[st] = op
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s: %s", d.Path, strings.Join(errs, "; "))
	}
	return nil
}

func containsSource(list []*source, s *source) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func bindStep(d *arazzo.Document, st *arazzo.Step, byName map[string]*source) (*operation, error) {
	if st.OperationPath != "" {
		name, p, method, err := arazzo.SplitOperationPath(st.OperationPath)
		if err != nil {
			return nil, err
		}
		src := byName[name]
		for _, rt := range src.spec.Routes() {
			if rt.SpecPath == p && strings.EqualFold(rt.Method, method) {
				return &operation{sourceName: name, src: src, route: rt}, nil
			}
		}
		return nil, fmt.Errorf("operationPath %q: no %s %s in %s", st.OperationPath, strings.ToUpper(method), p, src.key)
	}
	name, id, err := arazzo.SplitOperationID(st.OperationID)
	if err != nil {
		return nil, err
	}
	if name != "" {
		rt, ok := byName[name].spec.OperationByID(id)
		if !ok {
			return nil, fmt.Errorf("operationId %q is not in %s", id, byName[name].key)
		}
		return &operation{sourceName: name, src: byName[name], route: rt}, nil
	}
	var found *operation
	for _, sd := range d.SourceDescriptions {
		src := byName[sd.Name]
		if rt, ok := src.spec.OperationByID(id); ok {
			if found != nil {
				return nil, fmt.Errorf("operationId %q is in more than one source: name the source ($sourceDescriptions.<name>.%s)", id, id)
			}
			found = &operation{sourceName: sd.Name, src: src, route: rt}
		}
	}
	if found == nil {
		return nil, fmt.Errorf("operationId %q is in no source", id)
	}
	return found, nil
}

// EmbeddedSpecVersion is info.version of the embedded contextgpt.yaml.
func EmbeddedSpecVersion() string {
	_, v := specInfo(spec.ContextGPTDocument())
	return v
}

// specInfo reads info.title and info.version of an OpenAPI document.
func specInfo(doc []byte) (title, version string) {
	var d struct {
		Info struct {
			Title   string `yaml:"title"`
			Version string `yaml:"version"`
		} `yaml:"info"`
	}
	_ = yaml.Unmarshal(doc, &d)
	return d.Info.Title, d.Info.Version
}
