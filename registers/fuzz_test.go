package registers

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Whatever a register answers, the answer is read without panicking and
// is passed only when the body really says the organisation is live.
func FuzzCharityAnswer(f *testing.F) {
	for _, seed := range []string{`{"reg_charity_number":1187342,"charity_name":"X","reg_status":"R","latest_income":12.5}`,
		`{"charity_name":"X","reg_status":"RM","date_of_removal":"2020-01-01T00:00:00"}`, `null`, `{}`, `[]`, `garbage`,
		`{"charity_name":"X","reg_status":"R","insolvent":true}`, `{"reg_status":"r","charity_name":""}`} {
		f.Add(http.StatusOK, []byte(seed))
	}
	f.Add(http.StatusNotFound, []byte(`{}`))
	f.Add(http.StatusInternalServerError, []byte(`{"reg_status":"R"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		r := charityAnswer("1187342", answer{status: status, body: body})
		switch r.Status {
		case StatusPassed:
			var d charityDetails
			if status != http.StatusOK || json.Unmarshal(body, &d) != nil || strings.ToUpper(strings.TrimSpace(d.RegStatus)) != "R" ||
				d.Insolvent || d.InAdministration {
				t.Fatalf("passed on HTTP %d %q", status, body)
			}
		case StatusFailed, StatusError:
		default:
			t.Fatalf("status %q", r.Status)
		}
	})
}

// Likewise for Companies House: passed only for a live company_status.
func FuzzCompanyAnswer(f *testing.F) {
	for _, seed := range []string{`{"company_name":"X","company_status":"active","accounts":{"overdue":true}}`,
		`{"company_name":"X","company_status":"dissolved","date_of_cessation":"2020-01-01"}`, `null`, `{}`, `garbage`,
		`{"company_name":"X","company_status":"liquidation"}`, `{"company_name":"","company_status":"active"}`} {
		f.Add(http.StatusOK, []byte(seed))
	}
	f.Add(http.StatusTooManyRequests, []byte(`{}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		r := companyAnswer("01234567", answer{status: status, body: body})
		switch r.Status {
		case StatusPassed:
			var p companyProfile
			if status != http.StatusOK || json.Unmarshal(body, &p) != nil || !passingCompanyStatuses[p.CompanyStatus] || p.CompanyName == "" {
				t.Fatalf("passed on HTTP %d %q", status, body)
			}
		case StatusFailed, StatusError:
		default:
			t.Fatalf("status %q", r.Status)
		}
	})
}
