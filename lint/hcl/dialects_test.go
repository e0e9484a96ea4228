package hcl

import (
	"fmt"
	"testing"
)

// Each service reads wildcard syntax its own way: what it documents as a
// wildcard becomes glob patterns for the witness search, anything else is
// compared literally (and so, with a `*`, can never match: CG111).
func TestOriginDialects(t *testing.T) {
	tests := []struct {
		service string
		dialect originDialect
		entry   string
		want    string // fmt of the globs, "literal" when compared as written
	}{
		{"S3", oneStarAnywhere, "https://*.example.com", "[https://*.example.com]"},
		{"S3", oneStarAnywhere, "https://app-*.example.com", "[https://app-*.example.com]"},
		{"S3", oneStarAnywhere, "https://*.*.example.com", "literal"},
		{"API Gateway v2", schemeStar, "https://*", "[https://*]"},
		{"API Gateway v2", schemeStar, "http://*", "[http://*]"},
		{"API Gateway v2", schemeStar, "https://*.example.com", "literal"},
		{"App Service", leftmostLabel, "https://*.azurewebsites.net", "[https://*.azurewebsites.net]"},
		{"App Service", leftmostLabel, "https://app.*.example.com", "literal"},
		{"CloudFront", cloudFrontItem, "*.example.com", "[https://*.example.com http://*.example.com]"},
		{"CloudFront", cloudFrontItem, "www.example.com", "[https://www.example.com http://www.example.com]"},
		{"CloudFront", cloudFrontItem, "https://*.example.com", "[https://*.example.com]"},
		{"CloudFront", cloudFrontItem, "www.*.example.com", "literal"},
		{"Cloud Storage", noWildcards, "https://*.example.com", "literal"},
	}
	for _, tt := range tests {
		t.Run(tt.service+" "+tt.entry, func(t *testing.T) {
			globs, ok := tt.dialect(tt.entry)
			got := "literal"
			if ok {
				got = fmt.Sprint(globs)
			}
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
