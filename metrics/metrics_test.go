package metrics_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/dbtest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/metrics"
	"github.com/civicgrants/grants/platform/httpmw"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var labelValue = regexp.MustCompile(`="([^"]*)"`)

// A scrape after a few requests carries the HTTP families by route
// template, the pool, the outbox's lag with a row waiting, the business
// gauges and the Temporal SDK's metrics, and no label value is an id.
func TestScrape(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	submitted := env.SubmitAs(t, env.Round(t, apptest.ExampleRound(t)), env.User(t, "metrics@example.org"), apptest.Lead{Name: "Metrics Kitchen", RequestedPence: 250_000})
	before, err := env.Store.MetricsOutbox(context.Background())
	require.NoError(t, err)
	_, err = env.Store.OutboxInsert(context.Background(), sqlc.OutboxInsertParams{Kind: "test", Payload: []byte(`{}`)})
	require.NoError(t, err)

	m := httpmw.NewMetrics()
	m.Registry().MustRegister(&metrics.Store{Store: env.Store})
	th := metrics.Temporal(m.Registry())
	th.WithTags(map[string]string{"namespace": "default", "task_queue": "host-1:4f2a-sticky", "workflow_type": "ApplicationWorkflow"}).
		Counter("temporal_workflow_completed").Inc(1)
	th.Timer("temporal_request_latency").Record(12 * time.Millisecond)
	th.Gauge("temporal_num_pollers").Update(2)

	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(m.Middleware())
	r.GET("/applications/:id", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	r.GET("/metrics", m.Handler(httpmw.MetricsAccess("")))
	for _, path := range []string{"/applications/" + submitted, "/applications/app_other", "/nowhere/app_x"} {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.RemoteAddr = "127.0.0.1:9090"
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	require.Equal(t, http.StatusOK, w.Code)
	body := w.Body.String()

	for _, want := range []string{
		`grants_http_requests_total{method="GET",route="/applications/:id",status="200"} 2`,
		`grants_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`grants_http_request_duration_seconds_bucket{method="GET",route="/applications/:id",status="200",le="0.005"}`,
		`grants_db_pool_connections{state="acquired"}`,
		`grants_db_pool_max_connections`,
		`grants_db_pool_acquires_total`,
		fmt.Sprintf("grants_outbox_pending %d", before.Pending+1), // the row waiting, beside the submission's
		`grants_outbox_oldest_age_seconds`,
		`grants_metrics_database_up 1`,
		`grants_applications{status="submitted"} 1`,
		`temporal_workflow_completed_total{activity_type="",namespace="default",operation="",poller_type="",worker_type="",workflow_type="ApplicationWorkflow"} 1`,
		`temporal_request_latency_seconds_count`,
		`temporal_num_pollers`,
	} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, "task_queue", "sticky task queues are per process: never a label")
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, v := range labelValue.FindAllStringSubmatch(line, -1) {
			for _, prefix := range []string{"app_", "usr_", "org_", "rnd_", "gnt_", "/nowhere"} {
				require.NotContains(t, v[1], prefix, "unbounded label value in %s", line)
			}
		}
	}
}
