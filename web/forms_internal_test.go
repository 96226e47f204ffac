package web

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
)

// A use case's field errors land on the form under the form's names, in
// the form's order whether that order is given in form names or in the
// use case's paths; fields outside it follow alphabetically. An error
// that is not the form's is left to the caller.
func TestFormFromApp(t *testing.T) {
	t.Parallel()
	invalid := &app.Error{Kind: app.KindInvalid, Code: "validation_failed", Message: "invalid", Fields: map[string]string{
		"partners[10].name": "ten", "partners[2].company_number": "two company", "partners[2].name": "two name", "zeta": "z", "alpha": "a"}}
	rename := map[string]string{"partners[10].name": "partners-10-name", "partners[2].company_number": "partners-2-company_number",
		"partners[2].name": "partners-2-name"}
	names := func(f *Form) []string {
		var out []string
		for _, e := range f.Errors() {
			out = append(out, e.Field)
		}
		return out
	}
	want := []string{"partners-2-name", "partners-2-company_number", "partners-10-name", "alpha", "zeta"}

	f := newForm()
	require.True(t, f.FromApp(invalid, rename, "partners-2-name", "partners-2-company_number", "partners-10-name"))
	require.Equal(t, want, names(f), "order in form names")
	f = newForm()
	require.True(t, f.FromApp(invalid, rename, "partners[2].name", "partners[2].company_number", "partners[10].name"))
	require.Equal(t, want, names(f), "order in the use case's paths")
	require.Equal(t, "two name", f.Error("partners-2-name"))

	f = newForm()
	require.False(t, f.FromApp(errors.New("database down"), nil))
	require.False(t, f.FromApp(&app.Error{Kind: app.KindNotFound, Message: "gone"}, nil))
	require.Empty(t, f.Errors())
}
