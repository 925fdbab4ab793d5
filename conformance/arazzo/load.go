package arazzo

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// UnmarshalYAML reads a criterion type given as a string or as an expression type object.
func (t *CriterionType) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&t.Type)
	}
	var obj struct {
		Type       string         `yaml:"type"`
		Version    string         `yaml:"version"`
		Extensions map[string]any `yaml:",inline"`
	}
	if err := n.Decode(&obj); err != nil {
		return err
	}
	if obj.Type == "" || obj.Version == "" {
		return fmt.Errorf("line %d: a criterion expression type object needs type and version", n.Line)
	}
	t.Type, t.Version = obj.Type, obj.Version
	return nil
}

// IsDocumentFile reports whether a file found in a folder is an Arazzo document.
func IsDocumentFile(name string) bool {
	for _, ext := range []string{".arazzo.yaml", ".arazzo.yml", ".arazzo.json"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// LoadPaths loads every document named: files as given, folders by their *.arazzo.yaml,
// *.arazzo.yml and *.arazzo.json files (recursively, in lexical order).
func LoadPaths(paths []string) ([]*Document, error) {
	var docs []*Document
	var errs []error
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !info.IsDir() {
			d, err := loadFile(os.DirFS(filepath.Dir(p)), filepath.Base(p), p)
			docs, errs = appendResult(docs, errs, d, err)
			continue
		}
		found, err := LoadFS(os.DirFS(p), ".", p)
		docs = append(docs, found...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return docs, errors.Join(errs...)
}

// LoadFS loads the documents under root in fsys; prefix names them in messages.
func LoadFS(fsys fs.FS, root, prefix string) ([]*Document, error) {
	var names []string
	err := fs.WalkDir(fsys, root, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && IsDocumentFile(name) {
			names = append(names, name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no *.arazzo.yaml or *.arazzo.json documents", prefix)
	}
	var docs []*Document
	var errs []error
	for _, n := range names {
		d, err := loadFile(fsys, n, filepath.Join(prefix, n))
		docs, errs = appendResult(docs, errs, d, err)
	}
	return docs, errors.Join(errs...)
}

func appendResult(docs []*Document, errs []error, d *Document, err error) ([]*Document, []error) {
	if err != nil {
		return docs, append(errs, err)
	}
	return append(docs, d), errs
}

func loadFile(fsys fs.FS, name, display string) (*Document, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	return Parse(data, display)
}

// Parse decodes one document (YAML or JSON) and validates it.
func Parse(data []byte, path string) (*Document, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	d := &Document{}
	if err := dec.Decode(d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	d.Path = path
	if err := nullEntries(reflect.ValueOf(d).Elem(), ""); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := Validate(d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// nullEntries refuses a null in a list or map of objects ("steps: [null]", "parameters:
// {p: null}"): the model holds it as a nil pointer, which validation and the runner would
// dereference.
func nullEntries(v reflect.Value, where string) error {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			return nullEntries(v.Elem(), where)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || name == "" || name == "-" {
				continue
			}
			if err := nullEntries(v.Field(i), strings.TrimPrefix(where+"."+name, ".")); err != nil {
				return err
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			e := v.Index(i)
			if e.Kind() == reflect.Pointer && e.IsNil() {
				return fmt.Errorf("%s[%d]: null is not an object", where, i)
			}
			if err := nullEntries(e, fmt.Sprintf("%s[%d]", where, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := v.MapIndex(k)
			if e.Kind() == reflect.Pointer && e.IsNil() {
				return fmt.Errorf("%s.%v: null is not an object", where, k)
			}
			if err := nullEntries(e, fmt.Sprintf("%s.%v", where, k)); err != nil {
				return err
			}
		}
	}
	return nil
}
