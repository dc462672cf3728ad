package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// This file makes server text fit to show a user: secrets masked in every
// form a server may echo them, control characters neutralised, and the
// text cut to a sane length. Every byte a server sends is hostile, so all
// of it runs in time linear in the text (times the number of secrets) and
// sizes nothing by what the text claims.

// escapeStarts are the bytes that can start an encoded character: %XX,
// \uXXXX (and JSON's short escapes) and HTML character references.
const escapeStarts = `%\&`

// Limits on a character reference. Leading zeros are skipped whatever
// their number; past them, a numeric reference with more digits than any
// code point needs stands for U+FFFD, as in a browser, and still covers all
// its digits: were it no escape, masking a secret that starts among its
// digits would turn what is left of them into one.
const (
	maxDecimalDigits = 7 // 1114111
	maxHexDigits     = 6 // 10FFFF
	maxEntityName    = 32
)

// htmlEntities are the named character references decoded: every name
// HTML gives a printable ASCII character (a base64 token holds + / =, a
// password anything), and the line breaks. The map is never written to.
var htmlEntities = map[string]rune{
	"amp": '&', "AMP": '&', "lt": '<', "LT": '<', "gt": '>', "GT": '>',
	"quot": '"', "QUOT": '"', "apos": '\'', "plus": '+', "sol": '/', "equals": '=',
	"excl": '!', "num": '#', "dollar": '$', "percnt": '%', "lpar": '(', "rpar": ')',
	"ast": '*', "midast": '*', "comma": ',', "period": '.', "colon": ':', "semi": ';',
	"quest": '?', "commat": '@', "lsqb": '[', "lbrack": '[', "bsol": '\\', "rsqb": ']',
	"rbrack": ']', "Hat": '^', "lowbar": '_', "UnderBar": '_', "grave": '`',
	"DiacriticalGrave": '`', "lcub": '{', "lbrace": '{', "verbar": '|', "vert": '|',
	"VerticalLine": '|', "rcub": '}', "rbrace": '}', "Tab": '\t', "NewLine": '\n',
}

// legacyEntities are the names a browser decodes even without their ';'.
var legacyEntities = []string{"amp", "AMP", "lt", "LT", "gt", "GT", "quot", "QUOT"}

// shortEscapeOf maps the letter of a one-letter backslash escape, as JSON
// and Go write them, to the byte it stands for.
var shortEscapeOf = [256]byte{'/': '/', '"': '"', '\\': '\\', '\'': '\'', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

func hexVal(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// hexRune reads exactly n hex digits at s[i:].
func hexRune(s string, i, n int) (rune, bool) {
	if i+n > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+n]) {
		v, ok := hexVal(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

func isSurrogate(r rune) bool { return 0xD800 <= r && r <= 0xDFFF }

// decodeEscape decodes the one encoded character that starts at s[i] (one
// of escapeStarts) into buf, and returns how many bytes of s it covers and
// the bytes it stands for. n is 0 when s[i] starts no escape and stands for
// itself. One level only: %252B is %2B, not +.
//
// Known forms: %XX (any byte, either case); \uXXXX (a surrogate pair as one
// character), \xXX and the short escapes \/ \" \\ \' \b \f \n \r \t; &#D;
// and &#xH; (either x, leading zeros, the ';' optional as browsers allow),
// and the named references of htmlEntities.
func decodeEscape(s string, i int, buf *[utf8.UTFMax]byte) (n int, out []byte) {
	rest := len(s) - i
	if rest < 2 {
		return 0, nil
	}
	switch s[i] {
	case '%':
		if rest < 3 {
			return 0, nil
		}
		hi, ok1 := hexVal(s[i+1])
		lo, ok2 := hexVal(s[i+2])
		if !ok1 || !ok2 {
			return 0, nil
		}
		buf[0] = hi<<4 | lo
		return 3, buf[:1]
	case '\\':
		switch c := s[i+1]; c {
		case 'u':
			r, ok := hexRune(s, i+2, 4)
			if !ok {
				return 0, nil
			}
			n = 6
			if 0xD800 <= r && r <= 0xDBFF && i+12 <= len(s) && s[i+6] == '\\' && s[i+7] == 'u' {
				if lo, ok := hexRune(s, i+8, 4); ok && 0xDC00 <= lo && lo <= 0xDFFF {
					r, n = 0x10000+(r-0xD800)<<10+(lo-0xDC00), 12
				}
			}
			if isSurrogate(r) {
				r = utf8.RuneError // a lone surrogate, as a JSON parser reads it
			}
			return n, buf[:utf8.EncodeRune(buf[:], r)]
		case 'x':
			r, ok := hexRune(s, i+2, 2)
			if !ok {
				return 0, nil
			}
			buf[0] = byte(r)
			return 4, buf[:1]
		case '/', '"', '\\', '\'', 'b', 'f', 'n', 'r', 't':
			buf[0] = shortEscapeOf[c]
			return 2, buf[:1]
		}
		return 0, nil
	case '&':
		if s[i+1] == '#' {
			return decodeNumericRef(s, i, buf)
		}
		j := i + 1
		for j < len(s) && j-i-1 < maxEntityName && isAlnum(s[j]) {
			j++
		}
		name := s[i+1 : j]
		if name == "" {
			return 0, nil
		}
		if j < len(s) && s[j] == ';' {
			if r, ok := htmlEntities[name]; ok {
				return j + 1 - i, buf[:utf8.EncodeRune(buf[:], r)]
			}
		}
		for _, legacy := range legacyEntities {
			if strings.HasPrefix(name, legacy) {
				return 1 + len(legacy), buf[:utf8.EncodeRune(buf[:], htmlEntities[legacy])]
			}
		}
	}
	return 0, nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// decodeNumericRef decodes &#D; or &#xH; at s[i:]; s[i+1] is '#'.
func decodeNumericRef(s string, i int, buf *[utf8.UTFMax]byte) (int, []byte) {
	j, base, maxDigits := i+2, rune(10), maxDecimalDigits
	if j < len(s) && (s[j] == 'x' || s[j] == 'X') {
		j, base, maxDigits = j+1, 16, maxHexDigits
	}
	digitsStart := j
	for j < len(s) && s[j] == '0' {
		j++
	}
	var r rune
	significant := 0
	for ; j < len(s); j++ {
		v, ok := hexVal(s[j])
		if !ok || rune(v) >= base {
			break
		}
		if significant++; significant <= maxDigits {
			r = r*base + rune(v)
		}
	}
	if j == digitsStart {
		return 0, nil
	}
	if significant > maxDigits || r == 0 || r > utf8.MaxRune || isSurrogate(r) {
		r = utf8.RuneError
	}
	if j < len(s) && s[j] == ';' {
		j++
	}
	return j - i, buf[:utf8.EncodeRune(buf[:], r)]
}

// decodeOnce decodes every encoded character of s, one level deep: the
// text a person (or a browser, or a JSON parser) reads in s.
func decodeOnce(s string) string {
	if !strings.ContainsAny(s, escapeStarts) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	var buf [utf8.UTFMax]byte
	for i := 0; i < len(s); {
		j := strings.IndexAny(s[i:], escapeStarts)
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		b.WriteString(s[i : i+j])
		i += j
		if n, out := decodeEscape(s, i, &buf); n > 0 {
			b.Write(out)
			i += n
		} else {
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

// secret is one secret, with what masking needs of it, computed once.
type secret struct {
	text string
	// echoes are the secret as the usual encoders write it (JSON, HTML,
	// URL), for a secret that itself looks like it holds escapes: a
	// password such as `ab%41c"d`, echoed JSON-escaped as `ab%41c\"d`,
	// decodes to `abAc"d`, which is neither the secret nor its echo, so
	// these are looked for as they are.
	echoes []secret
	// prefix is KMP's prefix function of text: the length of the longest
	// proper prefix of text[:i+1] that is also its suffix. It lets a search
	// find overlapping occurrences in linear time.
	prefix []int32
}

func newSecret(s string) secret {
	sec := newSecretOnly(s)
	if decodeOnce(s) == s {
		return sec // decoding text finds it, however it is encoded
	}
	// JSON as encoding/json writes it, with and without its escapes of
	// < > &, each without the quotes.
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes: "…"\n
	htmlSafe, _ := json.Marshal(s)
	for _, e := range []string{
		plain.String()[1 : plain.Len()-2], string(htmlSafe[1 : len(htmlSafe)-1]),
		html.EscapeString(s), namedEntities.Replace(s), url.QueryEscape(s), url.PathEscape(s),
	} {
		if e != s && !slices.ContainsFunc(sec.echoes, func(x secret) bool { return x.text == e }) {
			sec.echoes = append(sec.echoes, newSecretOnly(e))
		}
	}
	return sec
}

// namedEntities escapes HTML with named entities, where html.EscapeString
// writes &#34; and &#39;.
var namedEntities = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

// newSecretOnly is newSecret without its echoes.
func newSecretOnly(s string) secret {
	p := make([]int32, len(s))
	for i, k := 1, int32(0); i < len(s); i++ {
		for k > 0 && s[i] != s[k] {
			k = p[k-1]
		}
		if s[i] == s[k] {
			k++
		}
		p[i] = k
	}
	return secret{text: s, prefix: p}
}

// span is a half-open range of byte offsets.
type span struct{ start, end int }

// appendOccurrences appends the span of every occurrence of sec in text,
// overlapping ones merged. strings.Index finds each first occurrence fast;
// from there KMP follows any occurrences that overlap or touch it, until no
// partial match is pending, so the whole search stays linear in len(text)
// even for a secret such as "aaaa".
func appendOccurrences(spans []span, text string, sec secret) []span {
	m := len(sec.text)
	for i := 0; i+m <= len(text); {
		j := strings.Index(text[i:], sec.text)
		if j < 0 {
			break
		}
		cur := span{i + j, i + j + m}
		k, pos := int32(m), i+j+m
		for pos < len(text) && k > 0 {
			if int(k) == m {
				k = sec.prefix[m-1]
			}
			for k > 0 && text[pos] != sec.text[k] {
				k = sec.prefix[k-1]
			}
			if text[pos] == sec.text[k] {
				k++
			}
			pos++
			if int(k) == m {
				if pos-m > cur.end {
					spans = append(spans, cur)
					cur.start = pos - m
				}
				cur.end = pos
			}
		}
		spans = append(spans, cur)
		i = pos
	}
	return spans
}

// maskSecrets replaces every occurrence of every secret in text with
// masked: raw, encoded (see decodeEscape), or any mix of the two, with some
// characters raw and others encoded.
//
// It decodes text one level into a canonical string, finds the secrets
// there, then walks text again to map each occurrence back to the whole
// encoded characters it came from, and replaces the union of those spans.
// Nothing is stored per byte: the second walk answers the occurrences in
// order. Each secret is also looked for raw, since decoding may change its
// raw form: "%41abc" decodes to "Aabc", yet shows the secret "1abc".
func maskSecrets(text string, secrets []secret) string {
	if text == "" || len(secrets) == 0 {
		return text
	}
	if !strings.ContainsAny(text, escapeStarts) {
		var spans []span
		for _, sec := range secrets {
			spans = appendOccurrences(spans, text, sec)
		}
		return replaceSpans(text, spans)
	}
	canon := decodeOnce(text)
	var canonSpans, rawSpans []span
	for _, sec := range secrets {
		canonSpans = appendOccurrences(canonSpans, canon, sec)
		rawSpans = appendOccurrences(rawSpans, text, sec)
		for _, echo := range sec.echoes {
			rawSpans = appendOccurrences(rawSpans, text, echo)
		}
	}
	if len(canonSpans) == 0 && len(rawSpans) == 0 {
		return text
	}
	return replaceSpans(text, toWholeCharacters(text, canonSpans, rawSpans))
}

// toWholeCharacters maps spans of decodeOnce(text) (canon) and spans of text
// itself (raw) to spans of text that cover whole encoded characters: the
// walk is decodeOnce's own, so the two agree on every boundary.
func toWholeCharacters(text string, canon, raw []span) []span {
	out := make([]span, 0, len(canon)+len(raw))
	// A query asks for the character that holds byte pos: its start for a
	// span's start, its end for a span's last byte.
	type query struct {
		pos int
		end bool
		idx int
	}
	queriesOf := func(spans []span) []query {
		qs := make([]query, 0, 2*len(spans))
		for _, s := range spans {
			idx := len(out)
			out = append(out, s)
			qs = append(qs, query{s.start, false, idx}, query{s.end - 1, true, idx})
		}
		slices.SortFunc(qs, func(a, b query) int { return a.pos - b.pos })
		return qs
	}
	cq, rq := queriesOf(canon), queriesOf(raw)
	answer := func(q query, start, end int) {
		if q.end {
			out[q.idx].end = end
		} else {
			out[q.idx].start = start
		}
	}
	var buf [utf8.UTFMax]byte
	oi, ci := 0, 0 // offsets in text and in the canonical string
	for oi < len(text) && (len(cq) > 0 || len(rq) > 0) {
		plain := strings.IndexAny(text[oi:], escapeStarts)
		if plain < 0 {
			plain = len(text) - oi
		}
		if plain > 0 {
			// Plain bytes are characters of their own, the same in both.
			for len(cq) > 0 && cq[0].pos < ci+plain {
				p := oi + cq[0].pos - ci
				answer(cq[0], p, p+1)
				cq = cq[1:]
			}
			for len(rq) > 0 && rq[0].pos < oi+plain {
				answer(rq[0], rq[0].pos, rq[0].pos+1)
				rq = rq[1:]
			}
			oi, ci = oi+plain, ci+plain
			continue
		}
		n, dec := decodeEscape(text, oi, &buf)
		if n == 0 {
			n, dec = 1, buf[:1]
		}
		for len(cq) > 0 && cq[0].pos < ci+len(dec) {
			answer(cq[0], oi, oi+n)
			cq = cq[1:]
		}
		for len(rq) > 0 && rq[0].pos < oi+n {
			answer(rq[0], oi, oi+n)
			rq = rq[1:]
		}
		oi, ci = oi+n, ci+len(dec)
	}
	return out
}

// replaceSpans replaces the union of spans in text with masked.
func replaceSpans(text string, spans []span) string {
	if len(spans) == 0 {
		return text
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	var b strings.Builder
	b.Grow(len(text))
	done := 0 // text[:done] is written
	for i := 0; i < len(spans); {
		cur := spans[i]
		for i++; i < len(spans) && spans[i].start < cur.end; i++ {
			cur.end = max(cur.end, spans[i].end)
		}
		b.WriteString(text[done:cur.start])
		b.WriteString(masked)
		done = cur.end
	}
	b.WriteString(text[done:])
	return b.String()
}

// visible returns how a rune is shown in server text: as itself, or, for
// a control character, as an escape that a terminal prints as plain text.
// ok is false when r is shown as escape.
func visible(r rune) (escape string, ok bool) {
	switch {
	case r == '\n':
		return `\n`, false
	case r == '\r':
		return `\r`, false
	case r == '\t':
		return `\t`, false
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf(`\x%02x`, r), false
	case r < 0x80:
		return "", true
	case r <= 0x9f, // C1, which holds CSI: ESC [ in one byte for some terminals
		r == 0x061c, r == 0x200e, r == 0x200f, // bidi marks
		0x202a <= r && r <= 0x202e, // bidi embeddings and overrides
		0x2066 <= r && r <= 0x2069, // bidi isolates
		r == 0x2028, r == 0x2029,   // line and paragraph separators
		// Invisible format characters, which can hide text or split a
		// word a reader would search for: zero widths, joiners, word
		// joiner and invisible operators, deprecated format controls, the
		// byte order mark, interlinear annotations and tags.
		0x200b <= r && r <= 0x200d, 0x2060 <= r && r <= 0x2064, 0x206a <= r && r <= 0x206f,
		r == 0xfeff, 0xfff9 <= r && r <= 0xfffb, 0xe0000 <= r && r <= 0xe007f:
		return fmt.Sprintf(`\u%04x`, r), false
	}
	return "", true
}

// CleanText makes server text safe to print to a terminal: control
// characters (C0 with ESC, BEL, CR, LF and TAB, DEL, C1), bidirectional
// controls and the Unicode line and paragraph separators are shown as
// escapes such as \x1b or \n, and invalid UTF-8 becomes U+FFFD. Anything
// else is kept as it is. It does not mask secrets: see Client.ServerText.
func CleanText(s string) string {
	clean := utf8.ValidString(s)
	for _, r := range s {
		if _, ok := visible(r); !ok || !clean {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s { // invalid UTF-8 ranges as U+FFFD
		if esc, ok := visible(r); !ok {
			b.WriteString(esc)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CleanCut is CleanText of s cut to at most maxRunes runes, saying how many
// of the server's characters it left out: "… (12 more characters)". It
// stops reading s at the cut, and never splits an escape such as \x1b.
func CleanCut(s string, maxRunes int) string {
	maxRunes = max(maxRunes, 1)
	if len(s) <= maxRunes {
		// Fewer bytes than the limit: no cut, whatever the escapes.
		if c := CleanText(s); utf8.RuneCountInString(c) <= maxRunes {
			return c
		}
	}
	var b strings.Builder
	shown := 0
	for i, r := range s {
		esc, ok := visible(r)
		width := 1
		if !ok {
			width = len(esc)
		}
		if shown+width > maxRunes {
			return b.String() + fmt.Sprintf("… (%d more characters)", utf8.RuneCountInString(s[i:]))
		}
		shown += width
		if ok {
			b.WriteRune(r)
		} else {
			b.WriteString(esc)
		}
	}
	return b.String()
}

// serverText masks, cleans and cuts one piece of server text, and masks
// what is left once more: cleaning shows a control character as an escape,
// which can spell a secret (a TAB where the secret has a literal \t).
func serverText(mask func(string) string, s string, maxRunes int) string {
	if mask == nil {
		return CleanCut(s, maxRunes)
	}
	return mask(CleanCut(mask(s), maxRunes))
}

// ServerText makes one piece of server text (a task name, a status, an
// error message) fit for a diagnostic: every secret of the client is masked
// in any form the server may have echoed it in, control characters are
// neutralised as CleanText does, and the result is cut to maxRunes runes
// (MaxMessageRunes when maxRunes is 0 or less), with a note of how many
// characters were left out. A nil Client only cleans and cuts.
func (c *Client) ServerText(s string, maxRunes int) string {
	if maxRunes <= 0 {
		maxRunes = MaxMessageRunes
	}
	var mask func(string) string
	if c != nil && c.secrets != nil {
		mask = c.secrets.mask
	}
	return serverText(mask, s, maxRunes)
}
