package conformance

import (
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/spec"
)

// Check is a stable check code: reports, CI filters and tests match on it, so a code is
// never renamed. Every finding the runner, the validators and the probe produce carries one
// of Checks; the README documents each with an example.
type Check = string

// The codes the runner adds to the validator's (spec.Check*) and the envelope's.
const (
	CheckCriterion    Check = "criterion"     // a successCriteria condition did not hold
	CheckOutput       Check = "output"        // an output expression did not resolve
	CheckRequest      Check = "request"       // the step's request could not be built
	CheckTransport    Check = "transport"     // the request got no response (timeout, refused, dropped)
	CheckWorkflow     Check = "workflow"      // a called workflow failed
	CheckResponseTime Check = "response-time" // slower than --max-response-time

	checkCriterion = CheckCriterion
	checkOutput    = CheckOutput
	checkRequest   = CheckRequest
	checkTransport = CheckTransport
	checkWorkflow  = CheckWorkflow
)

// CheckInfo describes one check code.
type CheckInfo struct {
	Code     Check
	Category string // report.CategoryContract, CategoryBehaviour or CategoryRun
	Summary  string
}

// Checks is the one list of check codes, in the order the README documents them.
var Checks = []CheckInfo{
	{spec.CheckOperationDeclared, report.CategoryContract, "the request's path and method are an operation of the spec"},
	{spec.CheckStatusDeclared, report.CategoryContract, "the status (a 3xx too: redirects are never followed) is declared for the operation"},
	{spec.CheckContentType, report.CategoryContract, "the Content-Type is declared for that status"},
	{spec.CheckBodyJSON, report.CategoryContract, "a JSON body parses"},
	{spec.CheckBodySchema, report.CategoryContract, "the body validates against the schema"},
	{spec.CheckBodyUndeclared, report.CategoryContract, "with --strict-schema: a property the schema does not declare"},
	{spec.CheckHeaderRequired, report.CategoryContract, "a required response header is present (Retry-After on a 429)"},
	{spec.CheckHeaderSchema, report.CategoryContract, "a response header validates against its schema"},
	{CheckEnvelopeSuccess, report.CategoryContract, "success is true exactly on 2xx"},
	{CheckEnvelopeStatusCode, report.CategoryContract, "statusCode, when present, is the HTTP status"},
	{CheckWebhookPayload, report.CategoryContract, "mock: a delivery the webhook sink received breaks its callback's requestBody schema, or names no declared event"},
	{CheckWebhookHeader, report.CategoryContract, "mock: a delivery lacks a header its callback declares, or the header breaks its schema"},
	{CheckWebhookSignature, report.CategoryContract, "mock: a delivery's X-Signature is not the HMAC-SHA256 of its raw body with the secret the run configured, or X-Webhook-Token is not that secret"},
	{CheckCriterion, report.CategoryBehaviour, "a successCriteria condition did not hold"},
	{CheckOutput, report.CategoryBehaviour, "an output expression did not resolve"},
	{CheckWorkflow, report.CategoryBehaviour, "a workflow a step or action ran failed"},
	{"expected-status", report.CategoryBehaviour, "probe: the status is not the one the case must get"},
	{"error-code", report.CategoryContract, "probe: error.code is not the one documented for the status"},
	{"error-path", report.CategoryContract, "probe: a 400's errors[].path does not name the field at fault"},
	{"allow-header", report.CategoryContract, "probe: a 405 without Allow, or Allow not listing the path's methods"},
	{"pagination", report.CategoryContract, "probe: page, limit, total and pages disagree with the items"},
	{"request-schema", report.CategoryContract, "proxy: a client's request breaks its operation's parameters or body"},
	{"request-method", report.CategoryContract, "proxy: a client's request uses a method its path does not declare"},
	{CheckTransport, report.CategoryRun, "the request got no response: refused, timed out, or the connection dropped (never retried)"},
	{CheckRequest, report.CategoryRun, "the step's request could not be built (an expression did not resolve)"},
	{CheckResponseTime, report.CategoryRun, "slower than --max-response-time"},
}

// CategoryOf returns the category of a check code; an unknown code is a run finding.
func CategoryOf(code string) string {
	for _, c := range Checks {
		if c.Code == code {
			return c.Category
		}
	}
	return report.CategoryRun
}

// Categorize fills the category of every finding of rep that has none (the probe's, say) and
// counts the report again.
func Categorize(rep *report.Report) {
	for i := range rep.Workflows {
		for j := range rep.Workflows[i].Steps {
			fs := rep.Workflows[i].Steps[j].Findings
			for k := range fs {
				if fs[k].Category == "" {
					fs[k].Category = CategoryOf(fs[k].Check)
				}
			}
		}
	}
	rep.Summarize()
}
