package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/sabre-mm/sabre/history"
	"io"
	"math"
	"os"
	"time"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/shared"
)

func init() {
	register(command{name: "demo", summary: "run a short tour of the shared buffer, Atomics, Queue and recording", run: runDemo})
}

// runDemo is a guided tour of the runtime: agents racing on a counter with
// plain and atomic increments, message passing with wait/notify, an
// ArrayBuffer transferred through a Queue, and a recorded history.
func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	agents := fs.Int("agents", 4, fmt.Sprintf("number of agents racing on the counter, 1 to %d", maxDemoAgents))
	iters := fs.Int("iterations", 20000, fmt.Sprintf("increments per agent, 1 to %d, and at most %d over all agents (the Int32 counter's range)", maxDemoIterations, math.MaxInt32))
	record := fs.String("record", "", "write the whole run's history to `FILE` (docs/history.md), converted and checked first")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sabre demo [-agents N] [-iterations N] [-record FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "sabre demo: unexpected argument %q (demo takes only flags)\n", fs.Arg(0))
		return 2
	}
	if err := checkDemoFlags(*agents, *iters); err != nil {
		fmt.Fprintln(stderr, "sabre demo:", err)
		return 2
	}
	var rec *history.Recorder
	var out *os.File
	if *record != "" && int64(*agents)*int64(*iters) > maxRecordedIncrements {
		fmt.Fprintf(stderr, "sabre demo: -record keeps every event in memory: -agents %d × -iterations %d = %d increments (3 events each) is more than the %d it records; lower one of them\n",
			*agents, *iters, int64(*agents)*int64(*iters), maxRecordedIncrements)
		return 2
	}
	if *record != "" {
		f, err := os.Create(*record)
		if err != nil {
			fmt.Fprintln(stderr, "sabre demo: -record:", err)
			return 2
		}
		out, rec = f, history.NewRecorder()
	}
	err := demo(stdout, *agents, *iters, rec)
	if err == nil && out != nil {
		err = writeHistory(stdout, out, rec.History())
	}
	if out != nil {
		if cerr := out.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			os.Remove(out.Name()) // never leave a partial history behind
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "sabre demo:", err)
		return 1
	}
	return 0
}

// writeHistory checks that h converts to a well-formed candidate execution
// and writes it to f.
func writeHistory(w io.Writer, f *os.File, h *history.History) error {
	c, err := history.Convert(h)
	if err != nil {
		return fmt.Errorf("the recorded history does not convert: %w", err)
	}
	if err := c.Execution.Check(); err != nil {
		return fmt.Errorf("the recorded history converts to a malformed execution: %w", err)
	}
	if err := history.Write(f, h); err != nil {
		return fmt.Errorf("writing %s: %w", f.Name(), err)
	}
	fmt.Fprintf(w, "4. recorded %d events of %d agents on %d buffers to %s (a candidate execution of %d events)\n",
		len(h.Events), len(c.Execution.AgentOrder), len(h.Buffers), f.Name(), len(c.Execution.Events))
	return nil
}

// Bounds on sabre demo's flags. Every agent adds 1 to an Int32 counter
// -iterations times, so agents × iterations may not exceed math.MaxInt32,
// where the counter would wrap.
const (
	maxDemoAgents     = 256
	maxDemoIterations = 10_000_000
	// maxRecordedIncrements bounds a recorded run: 3 events an increment,
	// about 200 bytes an event in memory, about 3 million events in all.
	maxRecordedIncrements = 1_000_000
)

// checkDemoFlags reports which flag is out of range, if one is.
func checkDemoFlags(agents, iters int) error {
	if agents < 1 || agents > maxDemoAgents {
		return fmt.Errorf("-agents %d is out of range [1, %d]", agents, maxDemoAgents)
	}
	if iters < 1 || iters > maxDemoIterations {
		return fmt.Errorf("-iterations %d is out of range [1, %d]", iters, maxDemoIterations)
	}
	if total := int64(agents) * int64(iters); total > math.MaxInt32 {
		return fmt.Errorf("-agents %d × -iterations %d = %d increments, more than the Int32 counter holds (%d): lower one of them",
			agents, iters, total, math.MaxInt32)
	}
	return nil
}

// demo runs the tour, writing its report to w. With rec non-nil every
// operation of every agent is recorded in it.
func demo(w io.Writer, agents, iters int, rec *history.Recorder) error {
	main := shared.NewAgent("main")
	if rec != nil {
		main.SetRecorder(rec) // the agents it starts inherit it
		defer main.SetRecorder(nil)
	}

	// 1. A counter incremented by every agent, plainly and atomically.
	buf, err := shared.NewBuffer(8, shared.CreatedBy(main))
	if err != nil {
		return err
	}
	counters, err := shared.NewTypedArray(buf, shared.Int32, 0, 2)
	if err != nil {
		return err
	}
	var hs []*shared.Handle
	for a := 0; a < agents; a++ {
		hs = append(hs, main.Start(fmt.Sprintf("P%d", a), func(me *shared.Agent) error {
			v := counters.For(me)
			for n := 0; n < iters; n++ {
				x, err := v.GetInt(0) // a plain read then a plain write: updates can be lost
				if err != nil {
					return err
				}
				if err := v.SetInt(0, x+1); err != nil {
					return err
				}
				if _, err := atomics.Add(v, 1, 1); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	for _, h := range hs {
		if err := h.Join(main); err != nil {
			return err
		}
	}
	plain, _ := counters.GetInt(0)
	atomic, _ := atomics.Load(counters, 1)
	want := int64(agents) * int64(iters)
	fmt.Fprintf(w, "1. %d agents × %d increments of a shared Int32 counter (want %d):\n", agents, iters, want)
	fmt.Fprintf(w, "   plain read-then-write: %d (%d updates lost to races; no tearing, no crash, no Go data race)\n", plain, want-plain)
	fmt.Fprintf(w, "   Atomics.add:           %d\n", atomic)
	if atomic != want {
		return fmt.Errorf("atomic counter is %d, want %d", atomic, want)
	}

	// 2. Message passing: plain data published by a seq-cst flag, with wait/notify.
	mbRec := history.NewRecorder()
	mb, err := shared.NewBuffer(8, shared.WithRecorder(mbRec), shared.CreatedBy(main))
	if err != nil {
		return err
	}
	mv, _ := shared.NewTypedArray(mb, shared.Int32, 0, 2) // [0] data, [1] flag
	consumer := main.Start("consumer", func(me *shared.Agent) error {
		v := mv.For(me)
		for {
			flag, err := atomics.Load(v, 1)
			if err != nil {
				return err
			}
			if flag == 1 {
				break
			}
			if _, err := atomics.Wait(v, 1, 0, 5*time.Second); err != nil {
				return err
			}
		}
		data, err := v.GetInt(0)
		if err != nil {
			return err
		}
		if data != 42 {
			return fmt.Errorf("consumer saw flag set but data %d: message passing broken", data)
		}
		return nil
	})
	producer := main.Start("producer", func(me *shared.Agent) error {
		v := mv.For(me)
		if err := v.SetInt(0, 42); err != nil {
			return err
		}
		if _, err := atomics.Store(v, 1, 1); err != nil {
			return err
		}
		_, err := atomics.Notify(v, 1, atomics.All)
		return err
	})
	if err := producer.Join(main); err != nil {
		return err
	}
	if err := consumer.Join(main); err != nil {
		return err
	}
	fmt.Fprintln(w, "2. message passing: plain data 42 published by Atomics.store of a flag, consumer waits with Atomics.wait: saw 42")
	fmt.Fprintf(w, "   recorded %d events on the buffer:\n", mbRec.Len())
	for _, e := range mbRec.Events() {
		fmt.Fprintf(w, "     %s\n", e)
	}

	// 3. Transfer through a Queue: ownership moves, the sender is detached.
	q := shared.NewQueue(1)
	ab, err := shared.NewArrayBuffer(16, shared.CreatedBy(main))
	if err != nil {
		return err
	}
	av, _ := shared.NewTypedArray(ab, shared.Uint8, 0, 16)
	_ = av.SetInt(0, 7)
	if err := q.For(main).Put(context.Background(), ab, ab); err != nil {
		return err
	}
	_, staleErr := av.GetInt(0)
	receiver := main.Start("receiver", func(me *shared.Agent) error {
		item, err := q.For(me).GetTimeout(5 * time.Second)
		if err != nil {
			return err
		}
		got, ok := item.(*shared.ArrayBuffer)
		if !ok {
			return fmt.Errorf("received %T", item)
		}
		v, err := shared.NewTypedArray(got, shared.Uint8, 0, 1)
		if err != nil {
			return err
		}
		x, err := v.GetInt(0)
		if err != nil || x != 7 {
			return fmt.Errorf("receiver read %d, %v", x, err)
		}
		return nil
	})
	if err := receiver.Join(main); err != nil {
		return err
	}
	if staleErr == nil {
		return errors.New("the sender could still read a transferred buffer")
	}
	fmt.Fprintln(w, "3. an ArrayBuffer put on a Queue with itself in the transfer list: the receiver reads 7;")
	fmt.Fprintf(w, "   the sender's view now fails: %v\n", staleErr)
	refused := shared.NewQueue(0).PutNowait(map[string]int{"not": 1})
	fmt.Fprintf(w, "   a map is refused: %v\n", refused)
	if !errors.Is(refused, shared.NotShareable) {
		return errors.New("a map was not refused as not shareable")
	}
	return nil
}
