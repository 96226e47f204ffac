package api_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
)

// The assessor pool of a round (who will score it) is for programme
// managers: the public, applicants and assessors read rounds without it.
func TestAssessorPoolIsNotPublic(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a1 := b.env.User(t, "pool1@example.org", app.RoleAssessor)
	a2 := b.env.User(t, "pool2@example.org", app.RoleAssessor)
	def := apptest.ExampleRound(t)
	def.Name = "Pooled round"
	def.AssessorIDs = []string{a1.ID, a2.ID}
	r := b.env.Round(t, def)

	mtok := b.login(t, "manager@example.org")
	atok := b.login(t, "pool1@example.org")
	tok := b.applicant(t, "reader@example.org")
	for _, tc := range []struct {
		who   string
		token string
		sees  bool
	}{{"anonymous", "", false}, {"applicant", tok, false}, {"assessor", atok, false}, {"manager", mtok, true}} {
		t.Run(tc.who, func(t *testing.T) {
			one := b.do(t, "GET", "/rounds/"+r.ID, tc.token, nil)
			require.Equal(t, http.StatusOK, one.Status, string(one.Body))
			var listed map[string]any
			for _, it := range b.do(t, "GET", "/rounds?limit=200", tc.token, nil).json(t)["items"].([]any) {
				if it.(map[string]any)["id"] == r.ID {
					listed = it.(map[string]any)
				}
			}
			require.NotNil(t, listed)
			for _, got := range []map[string]any{one.json(t), listed} {
				if tc.sees {
					require.ElementsMatch(t, []any{a1.ID, a2.ID}, got["assessor_ids"])
				} else {
					require.NotContains(t, got, "assessor_ids")
					require.NotContains(t, string(one.Body), a1.ID)
				}
			}
		})
	}
}

// A document download from the API carries the same headers as the web's:
// an attachment of its detected type, never sniffed, sandboxed, never
// cached.
func TestDocumentDownloadHeaders(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok, draft := b.draft(t, "headers@example.org")
	res := b.upload(t, draft["id"].(string), tok, "plan.pdf", pdfBytes)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	res = b.do(t, "GET", "/documents/"+res.json(t)["id"].(string), tok, nil)
	require.Equal(t, http.StatusOK, res.Status)
	require.Equal(t, pdfBytes, res.Body)
	require.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
	require.Equal(t, `attachment; filename=plan.pdf`, res.Header.Get("Content-Disposition"))
	require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
	require.Contains(t, res.Header.Get("Cache-Control"), "no-store")
	require.Contains(t, res.Header.Get("Content-Security-Policy"), "sandbox")
	require.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'none'")
}

// Answers that carry a token or bank details are never cached.
func TestTokensAndBankDetailsAreNotCached(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok, draft := b.draft(t, "nostore@example.org")
	res := b.do(t, "POST", "/auth/login", "", map[string]any{"email": "nostore@example.org", "password": apptest.Password})
	require.Equal(t, http.StatusOK, res.Status)
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"), "login")

	path := "/organisations/" + draft["organisation_id"].(string) + "/bank-account"
	res = b.do(t, "PUT", path, tok, map[string]any{"sort_code": "12-34-56", "account_number": "12345678", "account_name": "Kitchen"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"), "bank details saved")
	res = b.do(t, "GET", path, tok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"), "bank details read")
}

// officeZip is a minimal OOXML package of the given entries.
func officeZip(t *testing.T, entries ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(entries); i += 2 {
		w, err := zw.Create(entries[i])
		require.NoError(t, err)
		_, err = w.Write([]byte(entries[i+1]))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// Macro-enabled Office files are refused with 415, whether their content
// or their name gives them away, and nothing is stored.
func TestMacroEnabledOfficeFilesRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok, draft := b.draft(t, "macros@example.org")
	appID := draft["id"].(string)
	docx := officeZip(t, "[Content_Types].xml", `<Types/>`, "word/document.xml", "<w:document/>")
	docm := officeZip(t, "[Content_Types].xml",
		`<Types><Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>`,
		"word/document.xml", "<w:document/>", "word/vbaProject.bin", "VBA")
	xlsm := officeZip(t, "[Content_Types].xml", `<Types><Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>`,
		"xl/workbook.xml", "<workbook/>", "xl/vbaProject.bin", "VBA")
	for _, tc := range []struct {
		name, filename string
		content        []byte
	}{
		{"docm", "plan.docm", docm},
		{"docm named docx", "plan.docx", docm},
		{"xlsm", "budget.xlsm", xlsm},
		{"xlsm named xlsx", "budget.xlsx", xlsm},
		{"clean docx named docm", "plan.docm", docx},
		{"clean docx named xltm", "plan.XLTM", docx},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := b.snapshot(t, appID)
			res := b.upload(t, appID, tok, tc.filename, tc.content)
			require.Equal(t, http.StatusUnsupportedMediaType, res.Status, string(res.Body))
			code, _ := res.errorCode(t)
			require.Equal(t, "unsupported_media_type", code)
			require.Contains(t, string(res.Body), "Macro-enabled")
			require.Equal(t, before, b.snapshot(t, appID))
		})
	}
	res := b.upload(t, appID, tok, "plan.docx", docx)
	require.Equal(t, http.StatusCreated, res.Status, "a clean docx is still welcome: %s", res.Body)
}
