package api_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/document"
)

// An application holds at most document.MaxFilesPerApplication documents,
// counted under its lock so that concurrent uploads cannot go past it, and
// its documents are listed a page at a time.
func TestDocumentsPerApplicationAreBounded(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok, draft := b.draft(t, "many@example.org")
	appID := draft["id"].(string)
	const racers = 6
	for i := 0; i < document.MaxFilesPerApplication-racers/2; i++ {
		res := b.upload(t, appID, tok, fmt.Sprintf("plan-%02d.pdf", i), pdfBytes)
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	}
	// The last few places are raced for: exactly enough uploads win.
	statuses := make([]int, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = b.upload(t, appID, tok, fmt.Sprintf("race-%d.pdf", i), pdfBytes).Status
		}()
	}
	wg.Wait()
	won := 0
	for _, s := range statuses {
		require.Contains(t, []int{http.StatusCreated, http.StatusConflict}, s)
		if s == http.StatusCreated {
			won++
		}
	}
	require.Equal(t, racers/2, won, "statuses %v", statuses)
	require.Equal(t, document.MaxFilesPerApplication, b.snapshot(t, appID).Documents)

	before := b.snapshot(t, appID)
	res := b.upload(t, appID, tok, "one-more.pdf", pdfBytes)
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
	code, _ := res.errorCode(t)
	require.Equal(t, "conflict", code)
	require.Contains(t, string(res.Body), "at most 20 documents")
	require.Equal(t, before, b.snapshot(t, appID))

	// Listed a page at a time.
	seen := map[string]bool{}
	path := "/applications/" + appID + "/documents?limit=7"
	for pages := 0; ; pages++ {
		require.Less(t, pages, 3)
		page := b.do(t, "GET", path, tok, nil)
		require.Equal(t, http.StatusOK, page.Status, string(page.Body))
		body := page.json(t)
		items := body["items"].([]any)
		require.LessOrEqual(t, len(items), 7)
		for _, it := range items {
			seen[it.(map[string]any)["id"].(string)] = true
		}
		if body["next_cursor"] == nil {
			break
		}
		path = "/applications/" + appID + "/documents?limit=7&cursor=" + body["next_cursor"].(string)
	}
	require.Len(t, seen, document.MaxFilesPerApplication)
	res = b.do(t, "GET", "/applications/"+appID+"/documents?limit=0", tok, nil)
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	res = b.do(t, "GET", "/applications/"+appID+"/documents?cursor=nonsense", tok, nil)
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
}

// A report holds at most document.MaxFilesPerReport documents of evidence.
func TestDocumentsPerReportAreBounded(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	g := f.activeGrant(t, f.round, "evidence@example.org", 250_000)
	interim := g.Reports[0]
	for i := 0; i < document.MaxFilesPerReport; i++ {
		res := f.uploadToReport(t, interim, g.Token, fmt.Sprintf("receipt-%02d.pdf", i), pdfBytes)
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	}
	docs := func() int {
		return f.count(t, `SELECT count(*) FROM documents WHERE report_id = $1`, interim)
	}
	require.Equal(t, document.MaxFilesPerReport, docs())
	res := f.uploadToReport(t, interim, g.Token, "one-more.pdf", pdfBytes)
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
	code, _ := res.errorCode(t)
	require.Equal(t, "conflict", code)
	require.Contains(t, string(res.Body), "at most 10 documents")
	require.Equal(t, document.MaxFilesPerReport, docs())
	// The other report of the grant still takes evidence.
	res = f.uploadToReport(t, g.Reports[1], g.Token, "final.pdf", pdfBytes)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
}
