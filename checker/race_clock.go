package checker

// The race detector's vector clocks. A clock dimension is a chain: a set of
// events that happens-before orders totally — an agent's agent-order, or a
// virtual chain of events of no agent that other events synchronize with.
// A clock maps each chain to the highest position in it known to happen
// before (or be) the event the clock belongs to, so E happens-before D iff
// D's clock holds E's chain at E's position or later (FastTrack's epoch
// comparison, Flanagan and Freund, PLDI 2009).
//
// A clock is a persistent 16-way radix trie over chain numbers: never
// changed once made, so a snapshot is a pointer; a join returns one of its
// arguments when that one already knows everything, skips the subtrees the
// two share, and copies only the paths where they differ. With few chains
// (up to 16) a clock is one node and a look-up one index; with many, a
// look-up costs the trie's depth and a change a path. So an agent whose
// past spans thousands of agents (a parent that started and joined them)
// pays for what changes, not for the whole width, at each step.

// rdNoDim is the chain of an event that no other event can know about: an
// event of no agent that nothing synchronizes with.
const rdNoDim = ^uint32(0)

// rdNode is a trie node: a leaf holds 16 positions, an inner node 16
// children (nil: all zero).
type rdNode struct {
	pos  [16]uint32
	kids *[16]*rdNode
}

// rdTrie knows the depth of the clocks of one run: the levels of inner
// nodes above the leaves, enough for every chain number the run can make.
type rdTrie struct {
	depth int
	nodes int // nodes made, for the tests' accounting of work
}

// rdMinTrieDepth is the least depth of a run's clocks (a variable, so that
// a test can give small runs the inner nodes large ones have).
var rdMinTrieDepth = 0

func newRdTrie(maxDim uint32) rdTrie {
	t := rdTrie{depth: rdMinTrieDepth}
	for span := uint64(16) << (4 * t.depth); span <= uint64(maxDim); span *= 16 {
		t.depth++
	}
	return t
}

// get returns the position of chain dim root knows (0: none).
func (t *rdTrie) get(root *rdNode, dim uint32) uint32 {
	n := root
	for l := t.depth; l > 0; l-- {
		if n == nil {
			return 0
		}
		n = n.kids[dim>>(4*l)&15]
	}
	if n == nil || dim == rdNoDim {
		return 0
	}
	return n.pos[dim&15]
}

// set returns root with chain dim's position raised to at least pos.
func (t *rdTrie) set(root *rdNode, dim, pos uint32) *rdNode {
	if dim == rdNoDim || pos == 0 || t.get(root, dim) >= pos {
		return root
	}
	return t.setAt(root, dim, pos, t.depth)
}

func (t *rdTrie) setAt(n *rdNode, dim, pos uint32, level int) *rdNode {
	t.nodes++
	c := &rdNode{}
	if n != nil {
		*c = *n
	}
	if level == 0 {
		c.pos[dim&15] = pos
		return c
	}
	kids := &[16]*rdNode{}
	if n != nil {
		*kids = *n.kids
	}
	i := dim >> (4 * level) & 15
	kids[i] = t.setAt(kids[i], dim, pos, level-1)
	c.kids = kids
	return c
}

// join returns the entry-wise maximum of a and b.
func (t *rdTrie) join(a, b *rdNode) *rdNode { return t.joinAt(a, b, t.depth) }

func (t *rdTrie) joinAt(a, b *rdNode, level int) *rdNode {
	switch {
	case a == b || b == nil:
		return a
	case a == nil:
		return b
	}
	if level == 0 {
		ge, le := true, true
		for i := range a.pos {
			ge = ge && a.pos[i] >= b.pos[i]
			le = le && a.pos[i] <= b.pos[i]
		}
		switch {
		case ge:
			return a
		case le:
			return b
		}
		t.nodes++
		c := &rdNode{}
		for i := range c.pos {
			c.pos[i] = max(a.pos[i], b.pos[i])
		}
		return c
	}
	var kids [16]*rdNode
	sameA, sameB := true, true
	for i := range kids {
		kids[i] = t.joinAt(a.kids[i], b.kids[i], level-1)
		sameA = sameA && kids[i] == a.kids[i]
		sameB = sameB && kids[i] == b.kids[i]
	}
	switch {
	case sameA:
		return a
	case sameB:
		return b
	}
	t.nodes++
	return &rdNode{kids: &kids}
}

// rdSnap is the clock of one event: root, plus its own epoch (dim, pos),
// which may be missing from root or stale in it.
type rdSnap struct {
	root *rdNode
	dim  uint32
	pos  uint32
}

// get returns the position of chain dim the snapshot knows.
func (t *rdTrie) snapGet(s *rdSnap, dim uint32) uint32 {
	if dim == s.dim {
		return s.pos
	}
	return t.get(s.root, dim)
}

// joinSnap adds what s knows to c. If c already knows s's own epoch it
// knows everything s does (a clock only learns an epoch together with the
// whole past of that event), and nothing changes: the common case costs one
// look-up. owned (nil: never) says whether c's root is c's alone — no
// snapshot shares it — so that a one-node clock can change in place; it is
// set when the join makes c a new root.
func (t *rdTrie) joinSnap(c, s *rdSnap, owned *bool) {
	if s.pos == 0 || t.snapGet(c, s.dim) >= s.pos {
		return
	}
	if t.depth > 0 {
		c.root = t.set(t.join(c.root, s.root), s.dim, s.pos)
		return
	}
	// One node: the entry-wise maximum, and s's own epoch, in one step.
	n := c.root
	if owned == nil || !*owned || n == nil {
		t.nodes++
		n = &rdNode{}
		if c.root != nil {
			n.pos = c.root.pos
		}
		c.root = n
		if owned != nil {
			*owned = true
		}
	}
	if b := s.root; b != nil && b != n {
		for i := range n.pos {
			n.pos[i] = max(n.pos[i], b.pos[i])
		}
	}
	if s.dim != rdNoDim {
		n.pos[s.dim&15] = max(n.pos[s.dim&15], s.pos)
	}
}

// withOwn returns c's clock with its own epoch in the trie.
func (t *rdTrie) withOwn(c *rdSnap) *rdNode { return t.set(c.root, c.dim, c.pos) }
