package spec

import (
	"errors"
	"net/url"
	"sort"
	"strings"
)

// ErrPathNotFound means no path of the document matches the request path.
var ErrPathNotFound = errors.New("spec: no operation matches this path")

// MethodNotAllowedError means the path exists but not with this method; Allow lists the
// methods it has, for the Allow header.
type MethodNotAllowedError struct {
	Allow []string
}

func (e *MethodNotAllowedError) Error() string {
	return "spec: method not allowed; allowed: " + strings.Join(e.Allow, ", ")
}

// node is a segment trie: literal children are tried before the parameter child, so
// /thread/update-thread wins over /thread/{threadId}, and matching backtracks to the
// parameter branch when the literal one has no operation for the method.
type node struct {
	literal map[string]*node
	param   *node
	routes  map[string]*Route // by method, at the end of a template
}

func newNode() *node { return &node{literal: map[string]*node{}} }

func (n *node) insert(segs []string, r *Route) {
	cur := n
	for _, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			if cur.param == nil {
				cur.param = newNode()
			}
			// Templates that share a position may name the parameter differently
			// (e.g. {threadId} and {messageId}); each route keeps its own names.
			cur = cur.param
			continue
		}
		next, ok := cur.literal[s]
		if !ok {
			next = newNode()
			cur.literal[s] = next
		}
		cur = next
	}
	if cur.routes == nil {
		cur.routes = map[string]*Route{}
	}
	cur.routes[r.Method] = r
}

func splitPath(p string) []string {
	return appendSegments(nil, p)
}

// appendSegments appends the segments of p (slashes trimmed, split on "/") to dst, as
// strings.Split would give them.
func appendSegments(dst []string, p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return dst
	}
	for {
		seg, rest, found := strings.Cut(p, "/")
		dst = append(dst, seg)
		if !found {
			return dst
		}
		p = rest
	}
}

// templateParams are the positions and names of a path template's parameters.
type templateParam struct {
	index int
	name  string
}

func templateParams(template string) []templateParam {
	var out []templateParam
	for i, t := range splitPath(template) {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			out = append(out, templateParam{index: i, name: t[1 : len(t)-1]})
		}
	}
	return out
}

// Match finds the operation for a method and a URL path (escaped or not; including the
// server's base path). It returns ErrPathNotFound or a *MethodNotAllowedError when none fits.
func (s *Spec) Match(method, path string) (*Route, error) {
	var buf [16]string // the segments of most paths, without an allocation
	segs := appendSegments(buf[:0], path)
	r, err := s.lookup(method, segs)
	if err != nil {
		return nil, err
	}
	out := *r
	out.PathParams = make(map[string]string, len(r.templateParams))
	fillPathParams(out.PathParams, r.templateParams, segs)
	return &out, nil
}

// MatchInto is Match writing the route into dst, whose PathParams map (when it has one) is
// cleared and reused: a caller matching request after request into the same Route (the
// mock, one per request in flight) allocates nothing on a match. On an error dst is left
// as it was.
func (s *Spec) MatchInto(dst *Route, method, path string) error {
	var buf [16]string
	segs := appendSegments(buf[:0], path)
	r, err := s.lookup(method, segs)
	if err != nil {
		return err
	}
	params := dst.PathParams
	if params == nil {
		params = make(map[string]string, len(r.templateParams))
	} else {
		clear(params)
	}
	*dst = *r
	dst.PathParams = params
	fillPathParams(params, r.templateParams, segs)
	return nil
}

// lookup finds the route of method among the path's segments.
func (s *Spec) lookup(method string, segs []string) (*Route, error) {
	var firstEnd *node
	r := s.root.find(segs, method, &firstEnd)
	if r != nil {
		return r, nil
	}
	if firstEnd == nil {
		return nil, ErrPathNotFound
	}
	allow := make([]string, 0, len(firstEnd.routes))
	for m := range firstEnd.routes {
		allow = append(allow, m)
	}
	sort.Strings(allow)
	return nil, &MethodNotAllowedError{Allow: allow}
}

// fillPathParams puts the template's parameters, unescaped, from the request's segments.
func fillPathParams(params map[string]string, tps []templateParam, segs []string) {
	for _, tp := range tps {
		v, err := url.PathUnescape(segs[tp.index])
		if err != nil {
			v = segs[tp.index]
		}
		params[tp.name] = v
	}
}

func (n *node) find(segs []string, method string, firstEnd **node) *Route {
	if len(segs) == 0 {
		if len(n.routes) == 0 {
			return nil
		}
		if *firstEnd == nil {
			*firstEnd = n
		}
		return n.routes[method]
	}
	if next, ok := n.literal[segs[0]]; ok {
		if r := next.find(segs[1:], method, firstEnd); r != nil {
			return r
		}
	}
	if n.param != nil && segs[0] != "" {
		return n.param.find(segs[1:], method, firstEnd)
	}
	return nil
}
