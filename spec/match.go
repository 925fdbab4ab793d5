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
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// Match finds the operation for a method and a URL path (escaped or not; including the
// server's base path). It returns ErrPathNotFound or a *MethodNotAllowedError when none fits.
func (s *Spec) Match(method, path string) (*Route, error) {
	segs := splitPath(path)
	var firstEnd *node
	r := s.root.find(segs, method, &firstEnd)
	if r == nil {
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
	params := map[string]string{}
	tsegs := splitPath(r.PathTemplate)
	for i, t := range tsegs {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			v, err := url.PathUnescape(segs[i])
			if err != nil {
				v = segs[i]
			}
			params[t[1:len(t)-1]] = v
		}
	}
	out := *r
	out.PathParams = params
	return &out, nil
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
