package bacs_test

import (
	"strings"
	"testing"

	"github.com/civicgrants/grants/payments/bacs"
)

func FuzzReference(f *testing.F) {
	for _, s := range []string{"Grant 123", "=SUM(A1)", "Zoë’s Café", "  -+@\t", "ﬁ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := bacs.Reference(s)
		if len(got) > bacs.MaxReference {
			t.Fatalf("Reference(%q) = %q: longer than %d", s, got, bacs.MaxReference)
		}
		if strings.Trim(got, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-/&") != "" {
			t.Fatalf("Reference(%q) = %q: a character BACS does not accept", s, got)
		}
		if got != "" && (strings.ContainsAny(got[:1], " .-/&") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ")) {
			t.Fatalf("Reference(%q) = %q: bad start, end or spacing", s, got)
		}
		if again := bacs.Reference(got); again != got {
			t.Fatalf("Reference not stable: %q → %q → %q", s, got, again)
		}
	})
}
