package web

import (
	"fmt"
	"html/template"
	"strings"
	"unicode/utf8"
)

// Charts are inline SVG drawn on the server: role="img" named by its
// <title> and <desc>, every value written as text beside its bar, and
// shapes (solid or hatched) rather than colour alone telling series
// apart. Each chart on a page is followed by a table of the same figures.
// The functions here are pure: text is escaped and every coordinate is
// computed with integer maths.

const (
	chartWidth  = 640 // viewBox width
	chartPad    = 8   // left and right margin
	chartNoteW  = 190 // room kept right of the longest bar for its value
	chartRowH   = 46  // one labelled bar
	chartBarH   = 18
	chartLegend = 30 // height of the legend line
	chartLabelN = 72 // longest label drawn, in characters
)

// chart is a horizontal bar chart: one row per item, its label above the
// bar, the bar made of segments laid end to end, and a note (the value)
// after the bar. All rows share one scale: the largest row total.
type chart struct {
	ID     string // unique on the page; prefixes the ids inside the SVG
	Title  string
	Desc   string
	Legend []chartKey
	Rows   []chartRow
	// NoteBelow writes each row's note under its bar rather than after
	// it, for notes too long to fit beside the longest bar.
	NoteBelow bool
}

// chartKey is one series of the legend.
type chartKey struct {
	Text  string
	Class string // the segment class, as in chartSegment
}

// chartRow is one bar.
type chartRow struct {
	Label    string
	Note     string
	Segments []chartSegment
}

// chartSegment is part of a bar. Class "hatched" draws it outlined and
// hatched; any other class is a solid fill (app-chart__bar--<class>).
type chartSegment struct {
	Value int64
	Class string
}

// columnChart is a vertical bar chart of counts (a histogram): one column
// per bucket, the count above it and the bucket's label below; Mark, when
// not negative, is the index of the column annotated with MarkText.
type columnChart struct {
	ID       string
	Title    string
	Desc     string
	Columns  []chartColumn
	Mark     int
	MarkText string
}

// chartColumn is one column.
type chartColumn struct {
	Label string
	Value int64
}

func chartEsc(s string) string { return template.HTMLEscapeString(s) }

// clip shortens a label to n characters, ending it with an ellipsis.
func chartClip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// scaled is v's length on a scale where top is full: integer, rounded
// down, and at least 1 for any positive value so it stays visible.
func chartScaled(v, top, full int64) int64 {
	if v <= 0 || top <= 0 {
		return 0
	}
	n := v * full / top
	if v > top {
		n = full
	}
	return max(n, 1)
}

func chartSVGOpen(b *strings.Builder, id, title, desc string, height int64) {
	fmt.Fprintf(b, `<svg class="app-chart" id="%s" role="img" aria-labelledby="%s-title %s-desc" viewBox="0 0 %d %d" width="100%%" focusable="false" xmlns="http://www.w3.org/2000/svg">`,
		chartEsc(id), chartEsc(id), chartEsc(id), chartWidth, height)
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, chartEsc(id), chartEsc(title), chartEsc(id), chartEsc(desc))
}

// barChart draws c as SVG.
func barChart(c chart) template.HTML {
	var top int64
	for _, r := range c.Rows {
		var sum int64
		for _, s := range r.Segments {
			sum += max(s.Value, 0)
		}
		top = max(top, sum)
	}
	full := int64(chartWidth - 2*chartPad - chartNoteW)
	rowH := int64(chartRowH)
	if c.NoteBelow {
		full = chartWidth - 2*chartPad
		rowH += 20
	}
	y := int64(chartPad)
	if len(c.Legend) > 0 {
		y += chartLegend
	}
	height := y + int64(len(c.Rows))*rowH + chartPad
	var b strings.Builder
	chartSVGOpen(&b, c.ID, c.Title, c.Desc, height)
	hatch := chartEsc(c.ID) + "-hatch"
	fmt.Fprintf(&b, `<defs><pattern id="%s" patternUnits="userSpaceOnUse" width="8" height="8"><path class="app-chart__hatch" d="M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6"/></pattern></defs>`, hatch)
	if len(c.Legend) > 0 {
		x := int64(chartPad)
		for _, k := range c.Legend {
			b.WriteString(chartSegmentRect(k.Class, hatch, x, chartPad+2, 16, 16))
			fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`, x+22, chartPad+15, chartEsc(k.Text))
			x += 22 + int64(utf8.RuneCountInString(k.Text))*8 + 24
		}
	}
	for _, r := range c.Rows {
		fmt.Fprintf(&b, `<g class="app-chart__row"><text x="%d" y="%d">%s</text>`, chartPad, y+16, chartEsc(chartClip(r.Label, chartLabelN)))
		x := int64(chartPad)
		for _, s := range r.Segments {
			w := chartScaled(s.Value, top, full)
			if w == 0 {
				continue
			}
			b.WriteString(chartSegmentRect(s.Class, hatch, x, y+22, w, chartBarH))
			x += w
		}
		fmt.Fprintf(&b, `<line class="app-chart__axis" x1="%d" y1="%d" x2="%d" y2="%d"/>`, chartPad, y+20, chartPad, y+22+chartBarH+2)
		if c.NoteBelow {
			fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text></g>`, chartPad, y+22+chartBarH+18, chartEsc(r.Note))
		} else {
			fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text></g>`, x+6, y+22+14, chartEsc(r.Note))
		}
		y += rowH
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every piece of text above is escaped
}

func chartSegmentRect(class, hatch string, x, y, w, h int64) string {
	if class == "hatched" {
		return fmt.Sprintf(`<rect class="app-chart__bar--hatched" x="%d" y="%d" width="%d" height="%d" fill="url(#%s)"/>`, x, y, w, h, hatch)
	}
	return fmt.Sprintf(`<rect class="app-chart__bar app-chart__bar--%s" x="%d" y="%d" width="%d" height="%d"/>`, chartEsc(class), x, y, w, h)
}

// columnsChart draws c as SVG.
func columnsChart(c columnChart) template.HTML {
	const (
		plotTop    = 46  // room for the mark and the counts
		plotH      = 180 // tallest column
		labelRoom  = 44
		columnGap  = 24
		axisOffset = 1
	)
	var top int64
	for _, col := range c.Columns {
		top = max(top, col.Value)
	}
	n := int64(max(len(c.Columns), 1))
	width := int64(chartWidth - 2*chartPad)
	colW := (width - (n+1)*columnGap) / n
	base := int64(plotTop + plotH)
	height := base + labelRoom
	var b strings.Builder
	chartSVGOpen(&b, c.ID, c.Title, c.Desc, height)
	for i, col := range c.Columns {
		x := chartPad + columnGap + int64(i)*(colW+columnGap)
		h := chartScaled(col.Value, top, plotH)
		fmt.Fprintf(&b, `<g class="app-chart__column">`)
		if h > 0 {
			fmt.Fprintf(&b, `<rect class="app-chart__bar" x="%d" y="%d" width="%d" height="%d"/>`, x, base-h, colW, h)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%d</text>`, x+colW/2, base-h-6, col.Value)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`, x+colW/2, base+20, chartEsc(col.Label))
		if i == c.Mark {
			fmt.Fprintf(&b, `<text class="app-chart__mark" x="%d" y="%d" text-anchor="middle">%s</text>`, x+colW/2, base-h-26, chartEsc(c.MarkText))
		}
		b.WriteString(`</g>`)
	}
	fmt.Fprintf(&b, `<line class="app-chart__axis" x1="%d" y1="%d" x2="%d" y2="%d"/>`, chartPad, base+axisOffset, chartWidth-chartPad, base+axisOffset)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every piece of text above is escaped
}
