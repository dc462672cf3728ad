package client

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// tokenLike is a base64 token, with the + / = that encoders escape.
const tokenLike = "MIIsecretTOKEN+abc/def=="

func secretsOf(list ...string) *secretSet {
	s := &secretSet{}
	for _, x := range list {
		s.add(x)
	}
	return s
}

// TestMaskEncodedForms: a secret echoed in any encoding, or a mix of them,
// is masked whole, and the text around it is kept as it was.
func TestMaskEncodedForms(t *testing.T) {
	cases := []struct {
		name, secret, text, want string
	}{
		{"raw", tokenLike, "a MIIsecretTOKEN+abc/def== b", "a *** b"},
		{"URL-encoded, upper hex", tokenLike, "a MIIsecretTOKEN%2Babc%2Fdef%3D%3D b", "a *** b"},
		{"URL-encoded, lower hex", tokenLike, "?t=MIIsecretTOKEN%2babc%2fdef%3d%3d&x=1", "?t=***&x=1"},
		{"URL-encoded, every byte", "Ab+", "x%41%62%2By", "x***y"},
		{"URL-encoded UTF-8", "pässword", "p%C3%A4ssword", "***"},
		{"\\u-escaped, upper hex", tokenLike, `{"m":"MIIsecretTOKEN\u002Babc\u002Fdef\u003D\u003D"}`, `{"m":"***"}`},
		{"\\u-escaped, lower hex", tokenLike, `MIIsecretTOKEN\u002babc\u002fdef\u003d\u003d`, "***"},
		{"\\u-escaped every character", "ab", `\u0061\u0062!`, "***!"},
		{"a surrogate pair", "x😀y", `x\uD83D\uDE00y.`, "***."},
		{"JSON's \\/", tokenLike, `"MIIsecretTOKEN+abc\/def=="`, `"***"`},
		{"JSON's \\\" and \\\\", `pa"ss\word`, `{"error_msg":"bad pa\"ss\\word"}`, `{"error_msg":"bad ***"}`},
		{"\\x", "ab", `\x61b`, "***"},
		{"decimal references", tokenLike, "MIIsecretTOKEN&#43;abc&#47;def&#61;&#61;", "***"},
		{"hex references, both x", tokenLike, "MIIsecretTOKEN&#x2B;abc&#X2f;def&#x3d;&#X3D;", "***"},
		{"leading zeros", tokenLike, "MIIsecretTOKEN&#0043;abc&#x00002F;def&#000000061;&#x3D;", "***"},
		{"named references", tokenLike, "<p>MIIsecretTOKEN&plus;abc&sol;def&equals;&equals;</p>", "<p>***</p>"},
		{"named &amp; &lt; &gt; &quot; &apos;", `a&<>"'b`, "x a&amp;&lt;&gt;&quot;&apos;b x", "x *** x"},
		{"a reference without its ;", "a+b", "a&#43b", "***"},
		{"mixed forms", tokenLike, `MII%73ecret\u0054OKEN&#43;abc%2Fdef&equals;\u003d`, "***"},
		{"mixed case in one escape", tokenLike, "MIIsecretTOKEN%2babc&#X2F;def=%3D", "***"},
		{"a secret holding an escape, raw", "p%41ss", "pw p%41ss!", "pw ***!"},
		{"a secret holding an escape, encoded", "p%41ss", "pw p%2541ss!", "pw ***!"},
		{"a secret right after an escape", "1abc", "%41abc", "***"},
		{"several occurrences", "ab", "ab-%61b-ab", "***-***-***"},
		{"overlapping occurrences", "aba", "ababa", "***"},
		{"two secrets overlapping", "abcd", "xabcdefx", "x***x"},
		{"one level only", "a+b", "a%252Bb", "a%252Bb"},
		{"escapes that are not the secret", tokenLike, `100% sure &amp; \n done %zz &#;&#x; &bogus; \u12`, `100% sure &amp; \n done %zz &#;&#x; &bogus; \u12`},
		{"no secret at all", tokenLike, "plain text", "plain text"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set := secretsOf(tc.secret)
			if tc.name == "two secrets overlapping" {
				set.add("cdef")
			}
			if got := set.mask(tc.text); got != tc.want {
				t.Fatalf("mask(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestDecodeOnce(t *testing.T) {
	for in, want := range map[string]string{
		"%41%2b%2B":                "A++",
		`\u00e9\u00E9\/\"\\\n\t`:   "éé/\"\\\n\t",
		`\uD83D\uDE00 \uD83D x`:    "😀 \uFFFD x",
		"&#65;&#x41;&#X41;&#00065": "AAAA",
		"&amp;&ampx&lt;&AMP;&plus": "&&x<&&plus",
		"&#99999999;&#0;&#xD800;":  "\uFFFD\uFFFD\uFFFD",
		"%g1 %4 & &# \\q \\u12 x%": "%g1 %4 & &# \\q \\u12 x%",
	} {
		if got := decodeOnce(in); got != want {
			t.Errorf("decodeOnce(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMaskIsLinear: masking a large body full of escapes, with a 10 KB
// token among the secrets, takes time in proportion to the body. The old
// ReplaceAll did too, but missed every encoded form; a per-secret regex
// over every encoding would not be linear.
func TestMaskIsLinear(t *testing.T) {
	token := strings.Repeat("MIIabc+/=", 10<<10/9)
	set := secretsOf(token, testSK, testAK, "aaaa")
	unit := `{"a":"%2B\u002B&#43;&plus;aaaaaaaaa"},`
	// The best of three runs: a busy machine only ever adds time.
	measure := func(n int) time.Duration {
		body := strings.Repeat(unit, n) + "MII" + strings.ReplaceAll(token, "+", "%2B")
		best := time.Duration(1<<63 - 1)
		for range 3 {
			start := time.Now()
			got := set.mask(body)
			best = min(best, time.Since(start))
			if strings.Contains(decodeOnce(got), token) || !strings.HasSuffix(got, masked) {
				t.Fatalf("the token survived: …%s", got[len(got)-50:])
			}
		}
		return best
	}
	measure(1000) // warm up
	small, large := measure(20_000), measure(200_000)
	// 10 times the text: well under 100 times the time, even on a busy
	// machine. A quadratic masker takes minutes here.
	if large > 40*small+time.Second {
		t.Fatalf("masking 10× the text took %v against %v", large, small)
	}
	if large > 20*time.Second {
		t.Fatalf("masking %d KiB took %v", 200_000*len(unit)>>10, large)
	}
}

func TestCleanText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Task SUCCESS", "Task SUCCESS"},
		{"clear screen and a fake line", "\x1b[2J\x1b[HApply complete!", `\x1b[2J\x1b[HApply complete!`},
		{"BEL, CR, LF, TAB", "a\a\r\n\tb", `a\x07\r\n\tb`},
		{"NUL and DEL", "a\x00b\x7f", `a\x00b\x7f`},
		{"C1 CSI and NEL", "a\u009b31mb\u0085", `a\u009b31mb\u0085`},
		{"right-to-left override", "abc\u202Etxt.exe", `abc\u202etxt.exe`},
		{"every bidi control", "\u200e\u200f\u202a\u202b\u202c\u202d\u061c\u2066\u2067\u2068\u2069", `\u200e\u200f\u202a\u202b\u202c\u202d\u061c\u2066\u2067\u2068\u2069`},
		{"line and paragraph separators", "a\u2028b\u2029", `a\u2028b\u2029`},
		{"invalid UTF-8", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"other Unicode is kept", "Größe 東京 😀 \uFFFD", "Größe 東京 😀 \uFFFD"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := CleanText(tc.in); got != tc.want {
				t.Fatalf("CleanText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestServerText(t *testing.T) {
	c, err := New(Config{Region: testRegion, Token: tokenLike})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, in string
		max      int
		want     string
	}{
		{"masked, then cleaned", "\x1b[31mtoken MIIsecretTOKEN%2Babc%2Fdef%3D%3D", 100, `\x1b[31mtoken ***`},
		{"cut, saying how much", strings.Repeat("é", 30), 10, strings.Repeat("é", 10) + "… (20 more characters)"},
		{"masked before the cut", "abc " + tokenLike + " def", 7, "abc ***… (4 more characters)"},
		{"an escape is never split", "abcd\x1b[2J", 6, "abcd… (4 more characters)"},
		{"escapes count where they are shown", "\n\n\n", 6, `\n\n\n`},
		{"0 means MaxMessageRunes", strings.Repeat("x", MaxMessageRunes+3), 0, strings.Repeat("x", MaxMessageRunes) + "… (3 more characters)"},
		{"invalid UTF-8", "a\xffb", 10, "a\uFFFDb"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.ServerText(tc.in, tc.max); got != tc.want {
				t.Fatalf("ServerText(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
		})
	}
	var nilClient *Client
	if got := nilClient.ServerText("a\x1bb", 10); got != `a\x1bb` {
		t.Fatalf("a nil client gives %q", got)
	}
}

// TestExcerptCleans: a body's excerpt shows control characters as escapes
// and stays within its length.
func TestExcerptCleans(t *testing.T) {
	got := Excerpt([]byte("<h1>\x1b[2JApply\x07 complete!\u202e</h1>"), 200)
	if want := `\x1b[2JApply\x07 complete!\u202e`; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	long := Excerpt([]byte(strings.Repeat("\x1b", 300)), 200)
	if n := utf8.RuneCountInString(long); n != 200 || !strings.HasSuffix(long, "…") {
		t.Fatalf("excerpt of %d runes: %q", n, long)
	}
}

// TestTraceHeadersMaskEncodedSecrets: a Location header that echoes the
// token URL-encoded is masked in the Trace log of the headers.
func TestTraceHeadersMaskEncodedSecrets(t *testing.T) {
	h := http.Header{
		"Location":     {"https://idp.example/cb?token=MIIsecretTOKEN%2Babc%2Fdef%3D%3D&x=1"},
		"X-Request-Id": {"req\x1b[2J"},
		"X-Auth-Token": {tokenLike},
	}
	got := redactHeaders(h, secretsOf(tokenLike))
	want := `Location: https://idp.example/cb?token=***&x=1, X-Auth-Token: REDACTED, X-Request-Id: req\x1b[2J`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func ExampleCleanText() {
	fmt.Println(CleanText("\x1b[2JApply complete!\a"))
	// Output: \x1b[2JApply complete!\x07
}
