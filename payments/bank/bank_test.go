package bank_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/payments/bank"
)

func TestParse(t *testing.T) {
	t.Parallel()
	const (
		sortDigits  = "Sort code must be 6 digits, like 30-94-30"
		acctDigits  = "Account number must be 8 digits, like 00733445"
		namePrint   = "Name on the account must only include letters, numbers, spaces and punctuation"
		nameTooLong = "Name on the account must be 70 characters or fewer"
	)
	tests := []struct {
		name                string
		sort, number, owner string
		want                bank.Details
		wantErrs            map[string]string
	}{
		{"hyphens", "12-34-56", "12345678", "The Hive", bank.Details{SortCode: "123456", AccountNumber: "12345678", AccountName: "The Hive"}, nil},
		{"spaces", " 12 34 56 ", "1234 5678", "  The Hive CIC\t", bank.Details{SortCode: "123456", AccountNumber: "12345678", AccountName: "The Hive CIC"}, nil},
		{"plain", "123456", "00733445", "Zoë’s Café & Co.", bank.Details{SortCode: "123456", AccountNumber: "00733445", AccountName: "Zoë’s Café & Co."}, nil},
		{"name of 70", "123456", "12345678", strings.Repeat("é", 70), bank.Details{SortCode: "123456", AccountNumber: "12345678", AccountName: strings.Repeat("é", 70)}, nil},
		{"all empty", "", " ", "   ", bank.Details{}, map[string]string{
			"sort_code": "Enter a sort code", "account_number": "Enter an account number", "account_name": "Enter the name on the account"}},
		{"short sort code", "12-34-5", "12345678", "A", bank.Details{}, map[string]string{"sort_code": sortDigits}},
		{"long sort code", "1234567", "12345678", "A", bank.Details{}, map[string]string{"sort_code": sortDigits}},
		{"letters in sort code", "12-34-5a", "12345678", "A", bank.Details{}, map[string]string{"sort_code": sortDigits}},
		{"non-ASCII digits", "١٢٣٤٥٦", "12345678", "A", bank.Details{}, map[string]string{"sort_code": sortDigits}},
		{"short account", "123456", "1234567", "A", bank.Details{}, map[string]string{"account_number": acctDigits}},
		{"hyphen in account", "123456", "1234-5678", "A", bank.Details{}, map[string]string{"account_number": acctDigits}},
		{"long account", "123456", "123456789", "A", bank.Details{}, map[string]string{"account_number": acctDigits}},
		{"name of 71", "123456", "12345678", strings.Repeat("a", 71), bank.Details{}, map[string]string{"account_name": nameTooLong}},
		{"control character", "123456", "12345678", "The\x00Hive", bank.Details{}, map[string]string{"account_name": namePrint}},
		{"newline inside", "123456", "12345678", "The\nHive", bank.Details{}, map[string]string{"account_name": namePrint}},
		{"invalid UTF-8", "123456", "12345678", "The \xffHive", bank.Details{}, map[string]string{"account_name": namePrint}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, errs := bank.Parse(tt.sort, tt.number, tt.owner)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("details (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantErrs, errs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMasked(t *testing.T) {
	t.Parallel()
	d, errs := bank.Parse("12-34-56", "12345678", "The Hive")
	require.Nil(t, errs)
	require.Equal(t, "**-**-56", d.MaskedSortCode())
	require.Equal(t, "****5678", d.MaskedAccountNumber())
	require.Equal(t, "**-**-**", bank.Details{}.MaskedSortCode())
	require.Equal(t, "********", bank.Details{}.MaskedAccountNumber())

	// Printed or logged by mistake, they stay masked.
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("saved", "details", d)
	for _, s := range []string{fmt.Sprint(d), fmt.Sprintf("%+v", d), buf.String()} {
		require.NotContains(t, s, "123456")
		require.NotContains(t, s, "12345678")
		require.Contains(t, s, "5678")
	}
}

func key(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }

func TestCipherRoundTrip(t *testing.T) {
	t.Parallel()
	c, err := bank.NewCipher(key(1))
	require.NoError(t, err)
	d := bank.Details{SortCode: "123456", AccountNumber: "12345678", AccountName: "The Hive"}
	sealed, err := c.Seal(d, "org_1")
	require.NoError(t, err)
	require.NotContains(t, string(sealed), "12345678")
	require.NotContains(t, string(sealed), "The Hive")

	got, err := c.Open(sealed, "org_1")
	require.NoError(t, err)
	if diff := cmp.Diff(d, got); diff != "" {
		t.Errorf("opened (-want +got):\n%s", diff)
	}
	again, err := c.Seal(d, "org_1")
	require.NoError(t, err)
	require.NotEqual(t, sealed, again, "a fresh nonce each time")
}

func TestCipherRefuses(t *testing.T) {
	t.Parallel()
	c, err := bank.NewCipher(key(1))
	require.NoError(t, err)
	other, err := bank.NewCipher(key(2))
	require.NoError(t, err)
	sealed, err := c.Seal(bank.Details{SortCode: "123456", AccountNumber: "12345678", AccountName: "A"}, "org_1")
	require.NoError(t, err)
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	version := bytes.Clone(sealed)
	version[0] = 9

	tests := []struct {
		name   string
		cipher *bank.Cipher
		b      []byte
		org    string
	}{
		{"wrong key", other, sealed, "org_1"},
		{"wrong organisation", c, sealed, "org_2"},
		{"tampered", c, tampered, "org_1"},
		{"unknown version", c, version, "org_1"},
		{"truncated", c, sealed[:10], "org_1"},
		{"empty", c, nil, "org_1"},
	}
	for _, tt := range tests {
		_, err := tt.cipher.Open(tt.b, tt.org)
		require.Error(t, err, tt.name)
	}
	_, err = c.Seal(bank.Details{}, "")
	require.Error(t, err, "sealing for no organisation")
}

func TestNewCipherChecksTheKey(t *testing.T) {
	t.Parallel()
	for _, k := range []string{
		"", "not base64!", base64.StdEncoding.EncodeToString(make([]byte, 16)),
		base64.StdEncoding.EncodeToString(make([]byte, 33)), base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32)),
	} {
		_, err := bank.NewCipher(k)
		require.ErrorContains(t, err, "GRANTS_ENCRYPTION_KEY", "key %q", k)
	}
	k := bank.GenerateKey()
	raw, err := base64.StdEncoding.DecodeString(k)
	require.NoError(t, err)
	require.Len(t, raw, bank.KeySize)
	require.NotEqual(t, k, bank.GenerateKey())
	_, err = bank.NewCipher(k)
	require.NoError(t, err)
}
