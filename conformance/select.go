package conformance

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/contextgpt/sandbox/conformance/arazzo"
)

// Workflows lists the selected workflows in document order.
func (r *Runner) Workflows() []*arazzo.Workflow {
	out := make([]*arazzo.Workflow, 0, len(r.order))
	for _, id := range r.order {
		out = append(out, r.workflows[id])
	}
	return out
}

// selectWorkflows keeps cfg.Workflows and everything they link to, in document order.
func (r *Runner) selectWorkflows() error {
	want := map[string]bool{}
	var queue []string
	if len(r.cfg.Workflows) == 0 {
		for id := range r.workflows {
			queue = append(queue, id)
		}
	}
	r.named = map[string]bool{}
	for _, pattern := range r.cfg.Workflows {
		if _, err := path.Match(pattern, ""); err != nil {
			return fmt.Errorf("--workflow %q: %v", pattern, err)
		}
		matched := false
		for _, d := range r.docs {
			for _, w := range d.Workflows {
				if ok, _ := path.Match(pattern, w.WorkflowID); ok {
					matched = true
					r.named[w.WorkflowID] = true
					queue = append(queue, w.WorkflowID)
				}
			}
		}
		if !matched {
			return fmt.Errorf("--workflow %q is not in the documents (ids or globs such as 'chatbot*')", pattern)
		}
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if want[id] {
			continue
		}
		want[id] = true
		queue = append(queue, links(r.workflows[id])...)
	}
	for _, d := range r.docs {
		for _, w := range d.Workflows {
			if want[w.WorkflowID] {
				r.order = append(r.order, w.WorkflowID)
			}
		}
	}
	if r.cfg.Shard.Count > 1 {
		r.order = r.shard(r.order)
	}
	r.called = map[string]bool{}
	for _, id := range r.order {
		for _, s := range r.workflows[id].Steps {
			if s.WorkflowID != "" {
				r.called[s.WorkflowID] = true
			}
		}
	}
	return nil
}

// groups splits the selected workflows into groups linked by dependsOn, workflow steps,
// actions and $workflows expressions; each group shares one sandbox.
func (r *Runner) groups() [][]string {
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if parent[x] == "" || parent[x] == x {
			return x
		}
		parent[x] = find(parent[x])
		return parent[x]
	}
	for _, id := range r.order {
		for _, l := range links(r.workflows[id]) {
			a, b := find(id), find(l)
			if a != b {
				parent[a] = b
			}
		}
	}
	index := map[string]int{}
	var out [][]string
	for _, id := range r.order {
		root := find(id)
		i, ok := index[root]
		if !ok {
			i = len(out)
			index[root] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], id)
	}
	return out
}

// topoOrder puts each workflow after those it depends on, otherwise keeping the given order.
func topoOrder(ids []string, all map[string]*arazzo.Workflow) []string {
	done := map[string]bool{}
	in := map[string]bool{}
	for _, id := range ids {
		in[id] = true
	}
	var out []string
	var visit func(string)
	visit = func(id string) {
		if done[id] || !in[id] {
			return
		}
		done[id] = true
		for _, d := range all[id].DependsOn {
			visit(d)
		}
		out = append(out, id)
	}
	for _, id := range ids {
		visit(id)
	}
	return out
}

var workflowRef = regexp.MustCompile(`\$workflows\.([^.\s{}#]+)`)

// links lists the workflows w needs: dependsOn, workflow steps, actions and $workflows
// expressions.
func links(w *arazzo.Workflow) []string {
	out := append([]string(nil), w.DependsOn...)
	var strs []string
	collect := func(v any) { strs = arazzo.AppendStrings(strs, v) }
	for _, a := range w.SuccessActions {
		out = appendIf(out, a.WorkflowID)
	}
	for _, a := range w.FailureActions {
		out = appendIf(out, a.WorkflowID)
	}
	for _, o := range w.Outputs {
		strs = append(strs, o)
	}
	for _, s := range w.Steps {
		out = appendIf(out, s.WorkflowID)
		for _, a := range s.OnSuccess {
			out = appendIf(out, a.WorkflowID)
		}
		for _, a := range s.OnFailure {
			out = appendIf(out, a.WorkflowID)
		}
		for _, p := range s.Parameters {
			collect(p.Value)
		}
		if s.RequestBody != nil {
			collect(s.RequestBody.Payload)
			for _, rp := range s.RequestBody.Replacements {
				collect(rp.Value)
			}
		}
		for _, c := range s.SuccessCriteria {
			strs = append(strs, c.Context, c.Condition)
		}
		for _, o := range s.Outputs {
			strs = append(strs, o)
		}
	}
	for _, s := range strs {
		for _, m := range workflowRef.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

func appendIf(list []string, s string) []string {
	if s != "" {
		return append(list, s)
	}
	return list
}

// Shard selects part i (1-based) of n of the workflows, so CI can split a suite over
// machines: linked workflows (one sandbox group) stay together; groups are dealt out in the
// order of their first workflow id, so a shard is the same on every machine and run.
type Shard struct{ Index, Count int }

// ParseShard reads "i/n".
func ParseShard(s string) (Shard, error) {
	var sh Shard
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return sh, fmt.Errorf("--shard %q: expected i/n with 1 <= i <= n, e.g. 2/3", s)
	}
	return Shard{Index: i, Count: n}, nil
}

func (r *Runner) shard(order []string) []string {
	r.order = order
	groups := r.groups()
	sort.Slice(groups, func(a, b int) bool { return slices.Min(groups[a]) < slices.Min(groups[b]) })
	keep := map[string]bool{}
	for i, g := range groups {
		if i%r.cfg.Shard.Count == r.cfg.Shard.Index-1 {
			for _, id := range g {
				keep[id] = true
			}
		}
	}
	return slices.DeleteFunc(order, func(id string) bool { return !keep[id] })
}
