package client

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// namedRefs are the named character references the fuzz target may use,
// written out here rather than taken from htmlEntities, so that the test
// does not share the decoder's table.
var namedRefs = map[rune][]string{
	'&': {"&amp;", "&AMP;"}, '<': {"&lt;"}, '>': {"&gt;"}, '"': {"&quot;"}, '\'': {"&apos;"},
	'+': {"&plus;"}, '/': {"&sol;"}, '=': {"&equals;"}, '%': {"&percnt;"}, '\\': {"&bsol;"},
	'#': {"&num;"}, ';': {"&semi;"}, '_': {"&lowbar;"}, '|': {"&verbar;", "&vert;"},
}

// shortEscapes are JSON's (and JavaScript's) two-character escapes.
var shortEscapes = map[rune]string{
	'/': `\/`, '"': `\"`, '\\': `\\`, '\'': `\'`, '\b': `\b`, '\f': `\f`, '\n': `\n`, '\r': `\r`, '\t': `\t`,
}

// encodeChar writes one character of a secret (a rune, or a byte that is
// not UTF-8) in the form choice picks: raw, %XX in either case, \uXXXX in
// either case (a surrogate pair beyond the BMP), \xXX, a JSON short escape,
// a decimal or hex character reference with leading zeros and either x, or
// a named reference.
func encodeChar(b *strings.Builder, char string, choice byte) {
	r, size := utf8.DecodeRuneInString(char)
	valid := r != utf8.RuneError || size != 1
	zeros := strings.Repeat("0", int(choice>>4)%4)
	hexCase := func(s string) string {
		if choice&0x40 != 0 {
			return strings.ToLower(s)
		}
		return s
	}
	switch choice % 9 {
	case 1:
		for _, c := range []byte(char) {
			fmt.Fprintf(b, "%%%s", hexCase(fmt.Sprintf("%02X", c)))
		}
		return
	case 2:
		if valid {
			if r > 0xFFFF {
				hi, lo := utf16.EncodeRune(r)
				fmt.Fprintf(b, `\u%s\u%s`, hexCase(fmt.Sprintf("%04X", hi)), hexCase(fmt.Sprintf("%04X", lo)))
			} else {
				fmt.Fprintf(b, `\u%s`, hexCase(fmt.Sprintf("%04X", r)))
			}
			return
		}
	case 3:
		if valid && r != 0 {
			fmt.Fprintf(b, "&#%s%d;", zeros, r)
			return
		}
	case 4:
		if valid && r != 0 {
			x := "x"
			if choice&0x80 != 0 {
				x = "X"
			}
			fmt.Fprintf(b, "&#%s%s%s;", x, zeros, hexCase(fmt.Sprintf("%X", r)))
			return
		}
	case 5:
		if names := namedRefs[r]; valid && len(names) > 0 {
			b.WriteString(names[int(choice>>4)%len(names)])
			return
		}
	case 6:
		if e, ok := shortEscapes[r]; valid && ok {
			b.WriteString(e)
			return
		}
	case 7:
		if len(char) == 1 {
			fmt.Fprintf(b, `\x%s`, strings.ToLower(fmt.Sprintf("%02X", char[0])))
			return
		}
	}
	b.WriteString(char)
}

// encodeSecret encodes each character of secret as choices pick, in turn.
func encodeSecret(secret string, choices []byte) string {
	var b strings.Builder
	for i, n := 0, 0; i < len(secret); n++ {
		_, size := utf8.DecodeRuneInString(secret[i:])
		var choice byte
		if len(choices) > 0 {
			choice = choices[n%len(choices)]
		}
		encodeChar(&b, secret[i:i+size], choice)
		i += size
	}
	return b.String()
}

// FuzzMaskEncodedSecrets embeds a random secret, each of its characters
// raw or encoded in a randomly chosen form, in random text. After masking,
// neither the text nor the text decoded one level holds the secret; where
// the secret is set off by text that cannot join its encoding, exactly its
// encoding is replaced; and text that holds the secret in no form is left
// as it was.
//
// Secrets holding '*' are left out: the mask itself could complete them.
func FuzzMaskEncodedSecrets(f *testing.F) {
	for _, s := range []struct {
		secret, prefix, suffix string
		choices                []byte
	}{
		{tokenLike, "Location: https://x/?t=", "&a=1", []byte{0}},
		{tokenLike, `{"error_msg":"`, `"}`, []byte{1, 0x41, 2, 0x42, 3, 0x13, 4, 0x94, 5, 6, 7, 8}},
		{"pässword😀", "<p>", "</p>", []byte{2, 3, 0x24, 1}},
		{"p%41ss&amp;\\u0041", "%", "&#", []byte{0, 1, 5}},
		{"aaaa", "aaa%61", "a", []byte{1, 0}},
		{"1abc", "%4", "", []byte{0}},
		{"\x00\x1b\xff", "\\", "\\u00", []byte{1, 2, 7}},
	} {
		f.Add(s.secret, s.prefix, s.suffix, s.choices)
	}
	f.Fuzz(func(t *testing.T, secretText, prefix, suffix string, choices []byte) {
		if secretText == "" || strings.Contains(secretText, "*") || len(secretText) > 256 {
			return
		}
		set := secretsOf(secretText)
		enc := encodeSecret(secretText, choices)

		text := prefix + enc + suffix
		got := set.mask(text)
		if strings.Contains(got, secretText) || strings.Contains(decodeOnce(got), secretText) {
			t.Fatalf("secret %q encoded as %q: mask(%q) = %q still holds it", secretText, enc, text, got)
		}

		// Set off by characters no escape continues into, and none of
		// the secret's, exactly the encoding goes.
		const left, right = "id: ", " .-"
		if !strings.ContainsAny(secretText, left+right) && (decodeOnce(enc) == secretText || enc == secretText) {
			if got := set.mask(left + enc + right); got != left+masked+right {
				t.Fatalf("secret %q encoded as %q: mask gives %q, want %q", secretText, enc, got, left+masked+right)
			}
		}

		plain := prefix + suffix
		if !strings.Contains(plain, secretText) && !strings.Contains(decodeOnce(plain), secretText) {
			if got := set.mask(plain); got != plain {
				t.Fatalf("text without the secret %q changed: %q → %q", secretText, plain, got)
			}
		}
	})
}
