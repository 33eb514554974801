package scenarios

import "math/rand/v2"

// PCT returns the probabilistic concurrency testing strategy of
// Burckhardt, Kothari, Musuvathi and Nagarakatte ("A Randomized Scheduler
// with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010) of depth
// depth (below 1 means 1), seeded with seed: each execution gives the agents random
// distinct priorities and picks depth−1 change points among its steps;
// the highest-priority agent that can go on runs, and at a change point
// the running agent drops below every other. A bug of depth d among n
// agents and k steps is found with probability at least 1/(n·k^(d−1)) per
// execution. Weak memory is explored in the manner of PCTWM (Gao, Chen,
// Li and Zhang, OOPSLA 2023): depth−1 reads, chosen at random among the
// execution's reads, return a weak value (random per byte among
// ReadChoice.Values); the others return the default. Timeouts fire only
// when nothing else can run; an agent that has run 64 steps in a row while
// another can go on yields to it (a fair schedule: otherwise a spin loop
// waiting for a lower-priority agent would spin forever). It never ends of itself: bound it with
// Options.Executions or Duration.
func PCT(depth int, seed uint64) Strategy {
	return &pct{depth: max(depth, 1), seed: seed}
}

type pct struct {
	depth, steps, reads int
	seed                uint64
	rng                 *rand.Rand
	prio                map[int]int
	change              map[int]int // step → priority it gives the running agent
	weak                map[int]bool
	nread               int
	maxSteps, maxReads  int
	last, runLen        int // the agent that ran last, and its steps in a row
}

func (p *pct) Name() string { return "pct" }

func (p *pct) Start(n int) bool {
	if n == 0 {
		p.rng = rand.New(rand.NewPCG(p.seed, 0x9c7))
		p.maxSteps, p.maxReads = 64, 16
	}
	p.prio = map[int]int{}
	p.change = map[int]int{}
	p.weak = map[int]bool{}
	p.nread, p.last, p.runLen = 0, -1, 0
	for i := 1; i < p.depth; i++ {
		p.change[1+p.rng.IntN(p.maxSteps)] = p.depth - i
		p.weak[1+p.rng.IntN(p.maxReads)] = true
	}
	return true
}

func (p *pct) priority(slot int) int {
	pr, ok := p.prio[slot]
	if !ok {
		// Initial priorities are distinct and above every change point's.
		pr = p.depth + p.rng.IntN(1<<20)*64 + slot%64
		p.prio[slot] = pr
	}
	return pr
}

func (p *pct) Schedule(c *SchedChoice) int {
	if pr, ok := p.change[c.Step]; ok && c.Current >= 0 {
		p.prio[c.Current] = pr
	}
	best, bestTimeout := -1, -1
	for i, o := range c.Options {
		if o.Timeout {
			if bestTimeout < 0 || p.priority(o.Agent) > p.priority(c.Options[bestTimeout].Agent) {
				bestTimeout = i
			}
			continue
		}
		if best < 0 || p.priority(o.Agent) > p.priority(c.Options[best].Agent) {
			best = i
		}
	}
	if best < 0 {
		return bestTimeout
	}
	// Fairness: an agent that has run pctFair steps in a row while another
	// could go on yields to the next in priority (an unfair schedule would
	// make a spin loop that waits for a lower-priority agent spin forever).
	if c.Options[best].Agent == p.last && p.runLen >= pctFair {
		alt := -1
		for i, o := range c.Options {
			if !o.Timeout && i != best && (alt < 0 || p.priority(o.Agent) > p.priority(c.Options[alt].Agent)) {
				alt = i
			}
		}
		if alt >= 0 {
			best = alt
		}
	}
	if c.Options[best].Agent == p.last {
		p.runLen++
	} else {
		p.last, p.runLen = c.Options[best].Agent, 1
	}
	return best
}

// pctFair is how many steps in a row PCT lets an agent take while another
// can go on.
const pctFair = 64

func (p *pct) Read(c *ReadChoice) []byte {
	p.nread++
	if !p.weak[p.nread] {
		return nil
	}
	return randomValue(p.rng, c)
}

func (p *pct) Finish(x *Execution) {
	p.maxSteps = max(p.maxSteps, x.Steps)
	p.maxReads = max(p.maxReads, p.nread)
}
