package main

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"

	"github.com/sabre-mm/sabre/scenarios/litmus"
)

// jsonResult is one element of --json output: the result, and with
// --states the observation whose states are formatted as they are written.
type jsonResult struct {
	litmusResult
	states *litmus.Observation
}

// writeJSON writes results as one JSON array, byte for byte what
// json.Encoder with SetIndent("", "  ") writes for the []litmusResult with
// every state's text filled in, but formatting and encoding one state at a
// time: a test's states are never all held as text (a 1,024-byte block's
// state is over a kilobyte of text).
func writeJSON(w io.Writer, results []jsonResult) error {
	bw := bufio.NewWriter(w)
	if len(results) == 0 {
		bw.WriteString("[]\n")
		return bw.Flush()
	}
	bw.WriteString("[\n")
	for i, r := range results {
		b, err := json.MarshalIndent(r.litmusResult, "  ", "  ")
		if err != nil {
			return err
		}
		bw.WriteString("  ")
		if o := r.states; o != nil && len(o.States) > 0 {
			// the states field is last: open the object again before its
			// closing "\n  }" and write the states one by one
			bw.Write(b[:len(b)-len("\n  }")])
			bw.WriteString(",\n    \"states\": [\n")
			var buf []byte
			for j := range o.States {
				s := &o.States[j]
				// what MarshalIndent(stateResult{…}, "      ", "  ") writes
				buf = append(buf[:0], "      {\n        \"state\": "...)
				if buf, err = appendJSONString(buf, s.Text()); err != nil {
					return err
				}
				buf = append(buf, ",\n        \"satisfies\": "...)
				buf = strconv.AppendBool(buf, s.Satisfies)
				buf = append(buf, "\n      }"...)
				bw.Write(buf)
				if j < len(o.States)-1 {
					bw.WriteString(",")
				}
				bw.WriteString("\n")
			}
			bw.WriteString("    ]\n  }")
		} else {
			bw.Write(b)
		}
		if i < len(results)-1 {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
	}
	bw.WriteString("]\n")
	return bw.Flush()
}

// appendJSONString appends s as encoding/json writes a string: quoted
// as is when it holds only printable ASCII that needs no escape (state
// texts do), else through json.Marshal.
func appendJSONString(dst []byte, s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, err := json.Marshal(s)
			return append(dst, b...), err
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"'), nil
}
