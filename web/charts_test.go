package web

import (
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// wellFormed fails unless s is well-formed XML.
func wellFormed(t *testing.T, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		require.NoError(t, err, s)
	}
}

func rectWidths(s, class string) []string {
	re := regexp.MustCompile(`<rect class="` + regexp.QuoteMeta(class) + `"[^>]* width="([0-9]+)"`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestBarChart(t *testing.T) {
	t.Parallel()
	svg := string(barChart(chart{ID: "c1", Title: "Budget <by> round", Desc: `Rounds & "money"`,
		Legend: []chartKey{{Text: "Committed", Class: "committed"}, {Text: "Remaining", Class: "hatched"}},
		Rows: []chartRow{
			{Label: "<script>alert(1)</script>", Note: "£1 committed", Segments: []chartSegment{{Value: 100, Class: "committed"}, {Value: 300, Class: "hatched"}}},
			{Label: "Small", Note: "half", Segments: []chartSegment{{Value: 1, Class: "committed"}, {Value: 199, Class: "hatched"}}},
			{Label: "Empty", Note: "none", Segments: []chartSegment{{Value: 0, Class: "committed"}}},
		}}))
	wellFormed(t, svg)
	require.Contains(t, svg, `role="img" aria-labelledby="c1-title c1-desc"`)
	require.Contains(t, svg, `<title id="c1-title">Budget &lt;by&gt; round</title>`)
	require.Contains(t, svg, `<desc id="c1-desc">Rounds &amp; &#34;money&#34;</desc>`)
	require.NotContains(t, svg, "<script>")
	require.Contains(t, svg, "&lt;script&gt;alert(1)&lt;/script&gt;")
	require.Contains(t, svg, ">£1 committed</text>")
	// Full width is 640 - 2×8 - 190 = 434 for the largest total, 400.
	require.Equal(t, []string{"108", "1"}, rectWidths(svg, "app-chart__bar app-chart__bar--committed")[1:]) // [0] is the legend's
	require.Equal(t, []string{"325", "215"}, rectWidths(svg, "app-chart__bar--hatched")[1:])
	require.Contains(t, svg, `fill="url(#c1-hatch)"`)
	require.Contains(t, svg, `<pattern id="c1-hatch"`)
	require.Contains(t, svg, ">Committed</text>")
	require.Equal(t, 3, strings.Count(svg, `<g class="app-chart__row">`))
	require.NotContains(t, svg, "style=")
}

func TestBarChartNoteBelow(t *testing.T) {
	t.Parallel()
	svg := string(barChart(chart{ID: "b", Title: "t", Desc: "d", NoteBelow: true, Rows: []chartRow{
		{Label: "A", Note: "£1 committed, £3 left", Segments: []chartSegment{{Value: 1, Class: "committed"}, {Value: 3, Class: "hatched"}}}}}))
	wellFormed(t, svg)
	// The whole width, 640 - 2×8, is the scale; the note starts at the left.
	require.Equal(t, []string{"156"}, rectWidths(svg, "app-chart__bar app-chart__bar--committed"))
	require.Equal(t, []string{"468"}, rectWidths(svg, "app-chart__bar--hatched"))
	require.Contains(t, svg, `<text x="8" y="66">£1 committed, £3 left</text>`)
	require.Contains(t, svg, `viewBox="0 0 640 82"`)
}

func TestColumnsChart(t *testing.T) {
	t.Parallel()
	svg := string(columnsChart(columnChart{ID: "days", Title: "Days", Desc: "d", Mark: 1, MarkText: "Median: 10.5 days",
		Columns: []chartColumn{{Label: "0 to 7 days", Value: 4}, {Label: "8 to 14 days", Value: 2}, {Label: "57 or more days", Value: 0}}}))
	wellFormed(t, svg)
	require.Contains(t, svg, `role="img" aria-labelledby="days-title days-desc"`)
	heights := regexp.MustCompile(`<rect class="app-chart__bar" x="[0-9]+" y="[0-9]+" width="[0-9]+" height="([0-9]+)"`).FindAllStringSubmatch(svg, -1)
	require.Len(t, heights, 2) // an empty column draws no bar, only its count
	require.Equal(t, "180", heights[0][1])
	require.Equal(t, "90", heights[1][1])
	require.Contains(t, svg, `>0</text>`)
	require.Contains(t, svg, `>57 or more days</text>`)
	require.Equal(t, 1, strings.Count(svg, "Median: 10.5 days"))
	mark := strings.Index(svg, "Median")
	require.Greater(t, mark, strings.Index(svg, "0 to 7 days"))
	require.Less(t, mark, strings.Index(svg, "57 or more days"))

	none := string(columnsChart(columnChart{ID: "e", Title: "t", Desc: "d", Mark: -1, Columns: []chartColumn{{Label: "a", Value: 0}}}))
	wellFormed(t, none)
	require.NotContains(t, none, "app-chart__mark")
}

func TestChartScaled(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ v, top, full, want int64 }{
		{0, 10, 100, 0}, {-5, 10, 100, 0}, {5, 0, 100, 0}, {10, 10, 100, 100}, {5, 10, 100, 50},
		{1, 1_000_000, 100, 1}, {3, 7, 100, 42}, {20, 10, 100, 100},
		{9_000_000_000_000, 9_000_000_000_000, 434, 434}, // pence of £90bn: no overflow
	} {
		require.Equal(t, c.want, chartScaled(c.v, c.top, c.full), "%+v", c)
	}
	require.Equal(t, "abc…", chartClip("abcdef", 4))
	require.Equal(t, "abcd", chartClip("abcd", 4))
}

func TestDashHalfDays(t *testing.T) {
	t.Parallel()
	require.Equal(t, "0 days", dashHalfDays(0))
	require.Equal(t, "1 day", dashHalfDays(2))
	require.Equal(t, "0.5 days", dashHalfDays(1))
	require.Equal(t, "10.5 days", dashHalfDays(21))
	require.Equal(t, "1 working day", halves(2, "working day"))
	require.Equal(t, "2.5 working days", halves(5, "working day"))
}
