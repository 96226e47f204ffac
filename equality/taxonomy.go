package equality

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// taxonomyCSV is the DEI Data Standard's taxonomy as the 360Giving DEI
// extension publishes it (ThreeSixtyGiving/360-dei, codelists/
// taxonomyCodes.csv): code, title, description.
//
//go:embed taxonomy.csv
var taxonomyCSV string

// Group is one entry of the taxonomy.
type Group struct {
	Code        string `json:"code"`
	Label       string `json:"label"`
	Description string `json:"description,omitempty"`
	Parent      string `json:"parent,omitempty"` // "" for a top-level group
}

var (
	codePattern = regexp.MustCompile(`^DEI[0-9]{6}$`)
	groups      = mustParse(taxonomyCSV)
	byCode      = index(groups)
	children    = childIndex(groups)
)

// mustParse reads the embedded codelist; a broken codelist is a build
// error, caught by the package's tests.
func mustParse(text string) []Group {
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		panic(fmt.Sprintf("equality: read taxonomy: %v", err))
	}
	known := map[string]bool{}
	for _, r := range rows[1:] {
		known[r[0]] = true
	}
	out := make([]Group, 0, len(rows)-1)
	for _, r := range rows[1:] {
		if !codePattern.MatchString(r[0]) {
			panic("equality: bad taxonomy code " + r[0])
		}
		out = append(out, Group{Code: r[0], Label: r[1], Description: r[2], Parent: parentOf(r[0], known)})
	}
	return out
}

// parentOf is the nearest listed ancestor of a code. Codes are DEI + two
// digits of population group + two of sub-group + two of detail: the
// parent of DEI010110 is DEI010100, whose parent is DEI010000.
func parentOf(code string, known map[string]bool) string {
	if code[7:] != "00" {
		if p := code[:7] + "00"; known[p] {
			return p
		}
	}
	if code[5:] != "0000" {
		if p := code[:5] + "0000"; known[p] {
			return p
		}
	}
	return ""
}

func index(gs []Group) map[string]Group {
	m := make(map[string]Group, len(gs))
	for _, g := range gs {
		m[g.Code] = g
	}
	return m
}

func childIndex(gs []Group) map[string][]string {
	m := map[string][]string{}
	for _, g := range gs {
		if g.Parent != "" {
			m[g.Parent] = append(m[g.Parent], g.Code)
		}
	}
	return m
}

// Groups is the whole taxonomy in the codelist's order (each group before
// its children).
func Groups() []Group { return append([]Group(nil), groups...) }

// Lookup returns the group of a code, and whether the code is listed.
func Lookup(code string) (Group, bool) {
	g, ok := byCode[code]
	return g, ok
}

// Label is the label of a code, or the code itself when it is not listed.
func Label(code string) string {
	if g, ok := byCode[code]; ok {
		return g.Label
	}
	return code
}

// Children are the codes directly below code, in codelist order.
func Children(code string) []string { return append([]string(nil), children[code]...) }

// TopLevel is the top-level group a code belongs to (the code itself for
// a top-level group).
func TopLevel(code string) string {
	for {
		g, ok := byCode[code]
		if !ok || g.Parent == "" {
			return code
		}
		code = g.Parent
	}
}

// sortCodes orders codes as the codelist does (codes sort numerically).
func sortCodes(codes []string) { sort.Strings(codes) }
