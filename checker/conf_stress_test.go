package checker

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

func TestConfStress(t *testing.T) {
	a, _ := strconv.Atoi(os.Getenv("CA"))
	i, _ := strconv.Atoi(os.Getenv("CI"))
	if a == 0 {
		t.Skip()
	}
	confBusySpin = os.Getenv("SPIN") != ""
	var h *history.History
	if f := os.Getenv("CF"); f != "" {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		h, err = history.Read(fh)
		if err != nil {
			t.Fatal(err)
		}
	} else {
		h = confWorkload(t, a, i)
	}
	fails := 0
	for _, e := range h.Events {
		if e.Kind == 1 && e.ModifyOp == model.CompareExchange {
			fails++
		}
	}
	vs := []model.Variant{model.ES2024, model.ES2017, model.SC}
	if s := os.Getenv("CV"); s != "" {
		v, _ := model.VariantByName(s)
		vs = []model.Variant{v}
	}
	for _, v := range vs {
		rep, err := Conformance(context.Background(), h, Options{Model: v, Budget: 20e9})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Verdict != Ok {
			fh, _ := os.Create("/tmp/conf_fail.jsonl")
			history.Write(fh, h)
			fh.Close()
		}
		t.Logf("%d×%d: %d events (%d failing CAS) %s: %s in %v: %.300s", a, i, len(h.Events), fails, v, rep.Verdict, rep.Elapsed, rep.Reason)
	}
}
