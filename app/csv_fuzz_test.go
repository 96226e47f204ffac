package app_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/civicgrants/grants/app"
)

// FuzzCSVWriter writes rows of any text through the one CSV writer of
// every export and reads them back as a spreadsheet would: the same rows
// and cells come back (defused), and no cell starts a formula.
func FuzzCSVWriter(f *testing.F) {
	f.Add("=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)")
	f.Add("\tlead", "\rcarriage", "plain", "£1,500.00")
	f.Add("line one\nline two", "quote \" inside", "comma, here", "")
	f.Add("\x00nul", "bad\xffutf8", "\r\n", "'=already quoted")
	f.Fuzz(func(t *testing.T, a, b, c, d string) {
		rows := [][]string{{a, b}, {c, d}, {d, a, b, c}}
		want := make([][]string, len(rows))
		var buf bytes.Buffer
		w, err := app.NewCSVWriter(&buf, []string{"first", "second"})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			want[i] = make([]string, len(r))
			for j, cell := range r {
				want[i][j] = app.SafeCell(cell)
			}
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		body, ok := bytes.CutPrefix(buf.Bytes(), []byte("\uFEFF"))
		if !ok {
			t.Fatal("no byte-order mark")
		}
		rd := csv.NewReader(bytes.NewReader(body))
		rd.FieldsPerRecord = -1
		got, err := rd.ReadAll()
		if err != nil {
			t.Fatalf("the export does not read back as CSV: %v\n%q", err, body)
		}
		if len(got) != len(rows)+1 {
			t.Fatalf("wrote %d rows, read %d: %q", len(rows)+1, len(got), got)
		}
		for i, r := range got[1:] {
			if len(r) != len(want[i]) {
				t.Fatalf("row %d: wrote %d cells, read %d", i, len(want[i]), len(r))
			}
			for j, cell := range r {
				// A CSV reader turns a quoted \r\n into \n; nothing else changes.
				if w := strings.ReplaceAll(want[i][j], "\r\n", "\n"); cell != w {
					t.Fatalf("row %d cell %d: wrote %q, read %q", i, j, w, cell)
				}
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Fatalf("row %d cell %d starts a formula: %q", i, j, cell)
				}
			}
		}
	})
}
