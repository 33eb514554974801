package litmus

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Pos is a position in a litmus file: file name, 1-based line and column
// (the column counts characters, not bytes).
type Pos struct {
	File string
	Line int
	Col  int
}

// String formats the position as file:line:col.
func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Error is a positioned error in a litmus file.
type Error struct {
	Pos Pos
	Msg string
}

// Error formats the error as "file:line:col: message".
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tNumber
	tString
	tPunct // { } [ ] ( ) ; , = @ : . ~ - /\ \/
)

type token struct {
	kind tokKind
	text string // identifier, number or punctuation text; decoded string
	pos  Pos
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tString:
		return "a string"
	case tNumber:
		return "number " + t.text
	case tIdent:
		return fmt.Sprintf("%q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

// lexer splits a litmus file into tokens. Comments run from // to the end of
// the line.
type lexer struct {
	file string
	src  string
	off  int
	line int
	col  int
}

func newLexer(file string, src []byte) *lexer {
	return &lexer{file: file, src: string(src), line: 1, col: 1}
}

func (l *lexer) pos() Pos { return Pos{l.file, l.line, l.col} }

func (l *lexer) errf(p Pos, format string, args ...any) error {
	return &Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
}

// advance consumes one character.
func (l *lexer) advance() rune {
	r, n := utf8.DecodeRuneInString(l.src[l.off:])
	l.off += n
	if r == '\n' {
		l.line++
		l.col = 1
	} else {
		l.col++
	}
	return r
}

func (l *lexer) peekByte(k int) byte {
	if l.off+k < len(l.src) {
		return l.src[l.off+k]
	}
	return 0
}

// skipSpace skips white space and comments.
func (l *lexer) skipSpace() error {
	for l.off < len(l.src) {
		c := l.src[l.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			l.advance()
		case c == '/' && l.peekByte(1) == '/':
			for l.off < len(l.src) && l.src[l.off] != '\n' {
				l.advance()
			}
		default:
			return nil
		}
	}
	return nil
}

func isLetter(c byte) bool { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// next returns the next token.
func (l *lexer) next() (token, error) {
	if err := l.skipSpace(); err != nil {
		return token{}, err
	}
	p := l.pos()
	if l.off >= len(l.src) {
		return token{kind: tEOF, pos: p}, nil
	}
	c := l.src[l.off]
	switch {
	case isLetter(c):
		start := l.off
		for l.off < len(l.src) && (isLetter(l.src[l.off]) || isDigit(l.src[l.off])) {
			l.advance()
		}
		return token{tIdent, l.src[start:l.off], p}, nil
	case isDigit(c):
		start := l.off
		for l.off < len(l.src) && (isLetter(l.src[l.off]) || isDigit(l.src[l.off])) {
			l.advance()
		}
		text := l.src[start:l.off]
		if _, err := parseNumber(text); err != nil {
			return token{}, l.errf(p, "malformed number %q (want a decimal or 0x-hexadecimal integer below 2^64)", text)
		}
		return token{tNumber, text, p}, nil
	case c == '"':
		return l.lexString()
	case c == '/' && l.peekByte(1) == '\\', c == '\\' && l.peekByte(1) == '/':
		l.advance()
		l.advance()
		return token{tPunct, l.src[l.off-2 : l.off], p}, nil
	case strings.IndexByte("{}[]();,=@:.~-", c) >= 0:
		l.advance()
		return token{tPunct, string(c), p}, nil
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.off:])
	if r == utf8.RuneError {
		return token{}, l.errf(p, "invalid UTF-8 byte 0x%02x", c)
	}
	return token{}, l.errf(p, "unexpected character %q", r)
}

// lexString reads a double-quoted string. It may span lines; \" and \\ are
// the only escapes.
func (l *lexer) lexString() (token, error) {
	p := l.pos()
	l.advance() // opening quote
	var b strings.Builder
	for {
		if l.off >= len(l.src) {
			return token{}, l.errf(p, "unterminated string")
		}
		c := l.src[l.off]
		switch c {
		case '"':
			l.advance()
			return token{tString, b.String(), p}, nil
		case '\\':
			ep := l.pos()
			l.advance()
			if l.off >= len(l.src) {
				return token{}, l.errf(p, "unterminated string")
			}
			e := l.src[l.off]
			if e != '"' && e != '\\' {
				return token{}, l.errf(ep, "unknown escape \\%c in string (only \\\" and \\\\ are allowed)", e)
			}
			l.advance()
			b.WriteByte(e)
		default:
			if r, n := utf8.DecodeRuneInString(l.src[l.off:]); r == utf8.RuneError && n == 1 {
				return token{}, l.errf(l.pos(), "invalid UTF-8 byte 0x%02x in string", c)
			}
			b.WriteRune(l.advance())
		}
	}
}

// word reads the test name after "JS": a run of letters, digits and the
// characters + - . _ (herd test names such as "2+2W" or "MP+na.sc").
func (l *lexer) word() (token, error) {
	if err := l.skipSpace(); err != nil {
		return token{}, err
	}
	p := l.pos()
	start := l.off
	for l.off < len(l.src) {
		c := l.src[l.off]
		if isLetter(c) || isDigit(c) || c == '+' || c == '-' || c == '.' {
			l.advance()
			continue
		}
		break
	}
	if start == l.off {
		return token{}, l.errf(p, "want the test name after JS")
	}
	return token{tIdent, l.src[start:l.off], p}, nil
}
