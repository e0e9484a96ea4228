package hcl

import "strings"

// originDialect reads one configured origin the way a cloud service
// matches it against the request's Origin. globs are the origins it
// matches as glob patterns (`*` any run of characters), for the witness
// search (CG108, CG109, …); ok is false when the service compares the
// entry literally, so that an entry no origin can equal is CG111.
// Entries without any wildcard syntax never reach a dialect.
type originDialect func(entry string) (globs []string, ok bool)

// oneStarAnywhere: S3 — "Each AllowedOrigin string can contain at most one
// * wildcard character, such as http://*.example.com"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManageCorsUsing.html).
// Azure Storage reads a `*` inside an origin the same way
// (https://learn.microsoft.com/rest/api/storageservices/cross-origin-resource-sharing--cors--support-for-the-azure-storage-services).
func oneStarAnywhere(entry string) ([]string, bool) {
	if strings.Count(entry, "*") != 1 {
		return nil, false
	}
	return []string{entry}, true
}

// schemeStar: API Gateway HTTP APIs — allowOrigins takes an origin, `*`,
// "https://*" (any origin that starts with https://) or "http://*"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html).
// Lambda function URLs share that CORS implementation
// (https://docs.aws.amazon.com/lambda/latest/api/API_Cors.html lists `*`
// and specific origins).
func schemeStar(entry string) ([]string, bool) {
	if entry == "https://*" || entry == "http://*" {
		return []string{entry}, true
	}
	return nil, false
}

// leftmostLabel: Azure App Service and Functions — allowed_origins may use
// a wildcard subdomain such as https://*.contoso.com, matching any depth
// of subdomains
// (https://learn.microsoft.com/azure/app-service/app-service-web-tutorial-rest-api#enable-cors).
func leftmostLabel(entry string) ([]string, bool) {
	scheme, host, found := strings.Cut(entry, "://")
	if !found || strings.Count(entry, "*") != 1 || !strings.HasPrefix(host, "*.") {
		return nil, false
	}
	return []string{scheme + "://" + host}, true
}

// cloudFrontItem: CloudFront response headers policies — items are
// "origins (domain names)"; `*` allows all, `*` as the leftmost label
// allows its subdomains, and an item without a scheme matches the name
// over either scheme
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/understanding-response-headers-policies.html#understanding-response-headers-policies-cors).
func cloudFrontItem(entry string) ([]string, bool) {
	if strings.Contains(entry, "://") {
		return leftmostLabel(entry)
	}
	if strings.ContainsAny(entry, "/ ") || entry == "" || entry == "null" {
		return nil, false
	}
	if strings.Contains(entry, "*") && (strings.Count(entry, "*") != 1 || !strings.HasPrefix(entry, "*.")) {
		return nil, false
	}
	return []string{"https://" + entry, "http://" + entry}, true
}

// noWildcards: Cloud Storage — "*" alone means any origin; nothing else
// is a pattern (https://cloud.google.com/storage/docs/cross-origin).
func noWildcards(string) ([]string, bool) { return nil, false }
