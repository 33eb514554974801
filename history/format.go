package history

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/sabre-mm/sabre/model"
)

// FormatName and FormatVersion are the header of the history file format
// (docs/history.md): JSON Lines, a header line then one event per line.
const (
	FormatName    = "sabre-history"
	FormatVersion = 1
)

// MaxLineBytes is the longest line Read accepts, and so the longest Write
// writes (16 MiB): a Notify that woke half a million waiters still fits.
// Write refuses a history with a longer line rather than write a file Read
// would refuse.
const MaxLineBytes = 16 << 20

// FormatError is a fault in a history file or History: the line (1 is the
// header; 0 when the History did not come from a file), the event's index in
// History.Events (-1 when the fault is not in an event), the buffer's index
// in History.Buffers (-1 when it is not in a buffer), the field, and what is
// wrong.
type FormatError struct {
	Line   int
	Event  int
	Buffer int
	Field  string
	Msg    string
}

func (e *FormatError) Error() string {
	if e == nil {
		return "<nil>"
	}
	var b strings.Builder
	switch {
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	case e.Event >= 0:
		fmt.Fprintf(&b, "event %d: ", e.Event)
	case e.Buffer >= 0:
		fmt.Fprintf(&b, "buffer %d: ", e.Buffer)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, "field %q: ", e.Field)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// wireHeader is the first line; Buffers lines describing one buffer each
// follow it, then the events.
type wireHeader struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	Buffers int    `json:"buffers"`
}

type wireBuffer struct {
	ID        uint64 `json:"id"`
	Shared    bool   `json:"shared"`
	Length    int    `json:"length"`
	MaxLength int    `json:"maxLength"`
}

type wireRef struct {
	Agent int    `json:"agent"`
	Seq   uint64 `json:"seq"`
}

// wireEvent is Event as a line of the file: names for enumerations, hex
// strings (Size bytes, in memory order) for byte payloads, zero fields left
// out.
type wireEvent struct {
	Agent     int       `json:"agent,omitempty"`
	Seq       uint64    `json:"seq,omitempty"`
	Kind      string    `json:"kind"`
	Order     string    `json:"order,omitempty"`
	Op        string    `json:"op,omitempty"`
	Buffer    uint64    `json:"buffer,omitempty"`
	ByteIndex int       `json:"index,omitempty"`
	Size      int       `json:"size,omitempty"`
	NoTear    bool      `json:"noTear,omitempty"`
	Read      string    `json:"read,omitempty"`
	Written   string    `json:"written,omitempty"`
	ModifyOp  string    `json:"modifyOp,omitempty"`
	Operand   string    `json:"operand,omitempty"`
	Expected  string    `json:"expected,omitempty"`
	Stored    bool      `json:"stored,omitempty"`
	Timeout   int64     `json:"timeout,omitempty"`
	Count     int64     `json:"count,omitempty"`
	Woken     []wireRef `json:"woken,omitempty"`
	Result    string    `json:"result,omitempty"`
	Item      uint64    `json:"item,omitempty"`
	Sync      uint64    `json:"sync,omitempty"`
	Peer      uint64    `json:"peer,omitempty"`
	Call      int64     `json:"call"`
	Return    int64     `json:"return"`
}

var orderNames = map[model.Order]string{model.SeqCst: "seq-cst", model.Unordered: "unordered", model.Init: "init"}

var modifyOpNames = func() map[string]model.ModifyOp {
	m := map[string]model.ModifyOp{}
	for op := model.Add; op <= model.CompareExchange; op++ {
		m[op.String()] = op
	}
	return m
}()

// payloadBytes is how many bytes an event's payloads hold: Size, at most 8.
func payloadBytes(size int) int { return min(max(size, 0), 8) }

func hexPayload(x uint64, n int) string {
	var b [8]byte
	for j := 0; j < n; j++ {
		b[j] = byte(x >> (8 * j))
	}
	return hex.EncodeToString(b[:n])
}

func toWire(e *Event) wireEvent {
	w := wireEvent{Agent: e.Agent, Seq: e.Seq, Kind: e.Kind.String(), Order: orderNames[e.Order], Op: e.Op,
		Buffer: e.Buffer, ByteIndex: e.ByteIndex, Size: e.Size, NoTear: e.NoTear, Stored: e.Stored,
		Timeout: e.Timeout, Count: e.Count, Result: e.Result, Item: e.Item, Sync: e.Sync, Peer: e.Peer,
		Call: e.Call, Return: e.Return}
	n := payloadBytes(e.Size)
	switch e.Kind {
	case EvRead, EvWait:
		w.Read = hexPayload(e.Read, n)
	case EvWrite:
		w.Written = hexPayload(e.Written, n)
	case EvRMW:
		w.Read, w.Written = hexPayload(e.Read, n), hexPayload(e.Written, n)
	}
	if e.ModifyOp != 0 {
		w.ModifyOp = e.ModifyOp.String()
		w.Operand = hexPayload(e.Operand, n)
	}
	if e.ModifyOp == model.CompareExchange || e.Kind == EvWait {
		w.Expected = hexPayload(e.Expected, n)
	}
	for _, r := range e.Woken {
		w.Woken = append(w.Woken, wireRef(r))
	}
	return w
}

// Write writes h in the history file format (docs/history.md): a header
// line naming the format, its version and the buffers, then one JSON object
// per event, each on its own line. h must pass Validate; Write reports the
// first fault otherwise and writes nothing; a nil w is an error. Read(Write(h))
// equals h, and Write of that equals Write(h) byte for byte.
func Write(w io.Writer, h *History) error {
	if err := h.Validate(); err != nil {
		return err
	}
	if w == nil {
		return errors.New("history: Write to a nil io.Writer")
	}
	// Two passes: the first encodes every line only to measure it, so that a
	// history Read would refuse (a line over MaxLineBytes) writes nothing;
	// the second writes. Memory stays at one line, whatever the history's size.
	for pass := 0; pass < 2; pass++ {
		var out *bufio.Writer
		var line bytes.Buffer
		enc := json.NewEncoder(&line)
		enc.SetEscapeHTML(false)
		if pass == 1 {
			out = bufio.NewWriterSize(w, 1<<16)
		}
		emit := func(v any, event, buffer int) error {
			line.Reset()
			if err := enc.Encode(v); err != nil {
				return err
			}
			if line.Len() > MaxLineBytes {
				return &FormatError{Event: event, Buffer: buffer, Msg: fmt.Sprintf("its line would be %d bytes, over the %d Read accepts (MaxLineBytes)", line.Len(), MaxLineBytes)}
			}
			if out != nil {
				_, err := out.Write(line.Bytes())
				return err
			}
			return nil
		}
		if err := emit(wireHeader{Format: FormatName, Version: FormatVersion, Buffers: len(h.Buffers)}, -1, -1); err != nil {
			return err
		}
		for i, b := range h.Buffers {
			if err := emit(wireBuffer(b), -1, i); err != nil {
				return err
			}
		}
		for i := range h.Events {
			if err := emit(toWire(&h.Events[i]), i, -1); err != nil {
				return err
			}
		}
		if out != nil {
			return out.Flush()
		}
	}
	return nil
}

// Read reads a history written by Write. Malformed input gives a
// *FormatError naming the line and the field: a header that is not this
// format or version, a line that is not one JSON object, an unknown field,
// a value of the wrong type, a name (kind, order, modifyOp) that does not
// exist, a payload that is not Size bytes of hex, and every fault Validate
// finds. A line longer than MaxLineBytes is an error, and so is a nil r.
// Read never panics.
func Read(r io.Reader) (*History, error) {
	if r == nil {
		return nil, errors.New("history: Read from a nil io.Reader")
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes)
	line := 0
	next := func() ([]byte, error) {
		for sc.Scan() {
			line++
			b := bytes.TrimSpace(sc.Bytes())
			if len(b) > 0 {
				return b, nil
			}
		}
		if err := sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				return nil, &FormatError{Buffer: -1, Line: line + 1, Event: -1, Msg: fmt.Sprintf("line longer than %d bytes", MaxLineBytes)}
			}
			return nil, err
		}
		return nil, io.EOF
	}
	b, err := next()
	if err == io.EOF {
		return nil, &FormatError{Buffer: -1, Line: 1, Event: -1, Msg: "empty input: no header line"}
	} else if err != nil {
		return nil, err
	}
	var hd wireHeader
	if err := decodeStrict(b, &hd); err != nil {
		return nil, lineError(line, -1, err)
	}
	if hd.Format != FormatName {
		return nil, &FormatError{Buffer: -1, Line: line, Event: -1, Field: "format", Msg: fmt.Sprintf("is %q, not %q", hd.Format, FormatName)}
	}
	if hd.Version != FormatVersion {
		return nil, &FormatError{Buffer: -1, Line: line, Event: -1, Field: "version", Msg: fmt.Sprintf("version %d is not supported (this reader reads version %d)", hd.Version, FormatVersion)}
	}
	if hd.Buffers < 0 {
		return nil, &FormatError{Line: line, Event: -1, Buffer: -1, Field: "buffers", Msg: fmt.Sprintf("negative count %d", hd.Buffers)}
	}
	h := &History{}
	var bufLines []int
	for i := 0; i < hd.Buffers; i++ {
		b, err := next()
		if err == io.EOF {
			return nil, &FormatError{Line: line + 1, Event: -1, Buffer: i, Msg: fmt.Sprintf("the header announces %d buffers; the input ends after %d", hd.Buffers, i)}
		} else if err != nil {
			return nil, err
		}
		var wb wireBuffer
		if err := decodeStrict(b, &wb); err != nil {
			fe := lineError(line, -1, err)
			fe.Buffer = i
			return nil, fe
		}
		h.Buffers = append(h.Buffers, Buffer(wb))
		bufLines = append(bufLines, line)
	}
	lines := []int{}
	for {
		b, err := next()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		var w wireEvent
		if err := decodeStrict(b, &w); err != nil {
			return nil, lineError(line, len(h.Events), err)
		}
		e, ferr := fromWire(&w)
		if ferr != nil {
			ferr.Line, ferr.Event = line, len(h.Events)
			return nil, ferr
		}
		h.Events = append(h.Events, e)
		lines = append(lines, line)
	}
	if err := h.Validate(); err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			switch {
			case fe.Event >= 0 && fe.Event < len(lines):
				fe.Line = lines[fe.Event]
			case fe.Buffer >= 0 && fe.Buffer < len(bufLines):
				fe.Line = bufLines[fe.Buffer]
			default:
				fe.Line = 1
			}
		}
		return nil, err
	}
	return h, nil
}

// decodeStrict decodes one JSON object, refusing unknown fields and
// anything after the object.
func decodeStrict(b []byte, v any) error {
	if !utf8.Valid(b) {
		return &keyError{"", "not valid UTF-8 (encoding/json would replace the bad bytes silently)"}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value on the line")
	}
	return checkKeys(b, v)
}

// checkKeys refuses what encoding/json lets through: a key given twice (the
// last would win) and a key in another case than the format's ("AGENT").
func checkKeys(b []byte, v any) error {
	names := fieldNames(v)
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil { // {
		return err
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		if !names[key] {
			return &keyError{key, "unknown field (names are case-sensitive)"}
		}
		if seen[key] {
			return &keyError{key, "given twice"}
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if key == "woken" { // the one field whose value holds objects
			var refs []json.RawMessage
			if err := json.Unmarshal(raw, &refs); err != nil {
				return err
			}
			for _, r := range refs {
				if err := checkKeys(r, &wireRef{}); err != nil {
					var ke *keyError
					if errors.As(err, &ke) {
						ke.key = "woken." + ke.key
					}
					return err
				}
			}
		}
	}
	return nil
}

// keyError is a fault in a line's keys.
type keyError struct{ key, msg string }

func (e *keyError) Error() string { return fmt.Sprintf("key %q: %s", e.key, e.msg) }

var wireNames = map[reflect.Type]map[string]bool{}

// fieldNames returns the JSON names of the fields of *v's struct type.
func fieldNames(v any) map[string]bool {
	t := reflect.TypeOf(v).Elem()
	if m, ok := wireNames[t]; ok {
		return m
	}
	m := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		m[name] = true
	}
	return m
}

func init() {
	for _, v := range []any{&wireHeader{}, &wireBuffer{}, &wireEvent{}, &wireRef{}} {
		wireNames[reflect.TypeOf(v).Elem()] = fieldNames(v)
	}
}

// lineError turns a JSON decoding error into a FormatError naming the field
// where it can.
func lineError(line, event int, err error) *FormatError {
	fe := &FormatError{Buffer: -1, Line: line, Event: event, Msg: err.Error()}
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		fe.Field = te.Field
		fe.Msg = fmt.Sprintf("a JSON %s where a %s belongs", te.Value, te.Type)
	case errors.As(err, &se):
		fe.Msg = fmt.Sprintf("not JSON (offset %d): %v", se.Offset, se)
	case errors.As(err, new(*keyError)):
		var ke *keyError
		errors.As(err, &ke)
		fe.Field, fe.Msg = ke.key, ke.msg
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		fe.Field = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		fe.Msg = "unknown field"
	}
	return fe
}

func parsePayload(field, s string, size int) (uint64, *FormatError) {
	n := payloadBytes(size)
	if len(s) != 2*n {
		return 0, &FormatError{Buffer: -1, Field: field, Msg: fmt.Sprintf("%q is not %d bytes of hex (the event's size)", s, n)}
	}
	b, err := hex.DecodeString(s)
	if err != nil || strings.ToLower(s) != s {
		return 0, &FormatError{Buffer: -1, Field: field, Msg: fmt.Sprintf("%q is not lower-case hex", s)}
	}
	var x uint64
	for j, c := range b {
		x |= uint64(c) << (8 * j)
	}
	return x, nil
}

func fromWire(w *wireEvent) (Event, *FormatError) {
	e := Event{Agent: w.Agent, Seq: w.Seq, Op: w.Op, Buffer: w.Buffer, ByteIndex: w.ByteIndex, Size: w.Size,
		NoTear: w.NoTear, Stored: w.Stored, Timeout: w.Timeout, Count: w.Count, Result: w.Result, Item: w.Item,
		Sync: w.Sync, Peer: w.Peer, Call: w.Call, Return: w.Return}
	k, ok := ParseKind(w.Kind)
	if !ok {
		return e, &FormatError{Buffer: -1, Field: "kind", Msg: fmt.Sprintf("unknown kind %q", w.Kind)}
	}
	e.Kind = k
	if w.Order != "" {
		for o, name := range orderNames {
			if name == w.Order {
				e.Order = o
			}
		}
		if e.Order == 0 {
			return e, &FormatError{Buffer: -1, Field: "order", Msg: fmt.Sprintf("unknown order %q (seq-cst, unordered or init)", w.Order)}
		}
	}
	if e.Size < 0 {
		return e, &FormatError{Buffer: -1, Field: "size", Msg: fmt.Sprintf("negative size %d", e.Size)}
	}
	var ferr *FormatError
	field := func(name, s string, dst *uint64, want bool) {
		if ferr != nil {
			return
		}
		if s == "" {
			if want {
				ferr = &FormatError{Buffer: -1, Field: name, Msg: "missing"}
			}
			return
		}
		if !want {
			ferr = &FormatError{Buffer: -1, Field: name, Msg: fmt.Sprintf("not allowed on a %s event", k)}
			return
		}
		*dst, ferr = parsePayload(name, s, e.Size)
	}
	if w.ModifyOp != "" {
		op, ok := modifyOpNames[w.ModifyOp]
		if !ok {
			return e, &FormatError{Buffer: -1, Field: "modifyOp", Msg: fmt.Sprintf("unknown modifyOp %q", w.ModifyOp)}
		}
		e.ModifyOp = op
	}
	field("read", w.Read, &e.Read, k == EvRead || k == EvRMW || k == EvWait)
	field("written", w.Written, &e.Written, k == EvWrite || k == EvRMW)
	field("operand", w.Operand, &e.Operand, e.ModifyOp != 0)
	field("expected", w.Expected, &e.Expected, e.ModifyOp == model.CompareExchange || k == EvWait)
	if ferr != nil {
		return e, ferr
	}
	for _, r := range w.Woken {
		e.Woken = append(e.Woken, Ref(r))
	}
	return e, nil
}
