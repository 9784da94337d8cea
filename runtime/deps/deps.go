// Package deps is the dependency graph of jobs (job(requires = [...])):
// start order, stop order, cycles and unknown names. It is pure: the
// language layer uses it to reject bad configs, the supervisor to order
// starts and stops.
package deps

import "strings"

// Node is one job and the jobs it requires, in declaration order.
type Node struct {
	Name     string
	Requires []string
}

// Graph is a set of nodes in declaration order.
type Graph struct {
	nodes []Node
	index map[string]int
}

// New builds a graph. Names are assumed unique; a later duplicate is ignored.
func New(nodes []Node) *Graph {
	g := &Graph{index: make(map[string]int, len(nodes))}
	for _, n := range nodes {
		if _, dup := g.index[n.Name]; dup {
			continue
		}
		g.index[n.Name] = len(g.nodes)
		g.nodes = append(g.nodes, n)
	}
	return g
}

// Unknown is a required name that no node has.
type Unknown struct {
	From, Name string
}

// Unknown lists the required names that name no node, in declaration order.
func (g *Graph) Unknown() []Unknown {
	var out []Unknown
	for _, n := range g.nodes {
		for _, r := range n.Requires {
			if _, ok := g.index[r]; !ok {
				out = append(out, Unknown{From: n.Name, Name: r})
			}
		}
	}
	return out
}

// CycleError is a dependency cycle: Path[0] requires Path[1] ... requires
// Path[0].
type CycleError struct {
	Path []string
}

func (e *CycleError) Error() string {
	return "dependency cycle: " + strings.Join(append(e.Path, e.Path[0]), " -> ")
}

// Cycle returns the first cycle met walking the nodes in declaration order,
// or nil. Unknown names are skipped.
func (g *Graph) Cycle() *CycleError {
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(g.nodes))
	var stack []int
	var found *CycleError
	var visit func(i int) bool
	visit = func(i int) bool {
		color[i] = grey
		stack = append(stack, i)
		for _, r := range g.nodes[i].Requires {
			j, ok := g.index[r]
			if !ok {
				continue
			}
			switch color[j] {
			case grey:
				var path []string
				for k := len(stack) - 1; k >= 0; k-- {
					path = append([]string{g.nodes[stack[k]].Name}, path...)
					if stack[k] == j {
						break
					}
				}
				found = &CycleError{Path: path}
				return true
			case white:
				if visit(j) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[i] = black
		return false
	}
	for i := range g.nodes {
		if color[i] == white && visit(i) {
			return found
		}
	}
	return nil
}

// StartOrder lists every node after all it requires; nodes otherwise keep
// their declaration order. It fails on a cycle.
func (g *Graph) StartOrder() ([]string, error) {
	if c := g.Cycle(); c != nil {
		return nil, c
	}
	done := make([]bool, len(g.nodes))
	out := make([]string, 0, len(g.nodes))
	var visit func(i int)
	visit = func(i int) {
		if done[i] {
			return
		}
		done[i] = true
		for _, r := range g.nodes[i].Requires {
			if j, ok := g.index[r]; ok {
				visit(j)
			}
		}
		out = append(out, g.nodes[i].Name)
	}
	for i := range g.nodes {
		visit(i)
	}
	return out, nil
}
