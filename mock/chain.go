package mock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/limits"
	"github.com/contextgpt/sandbox/mock/store"
	"github.com/contextgpt/sandbox/spec"
)

// Body limits (DESIGN): JSON bodies over 1 MiB, multipart over 10 MiB are refused with 413.
const (
	maxJSONBody      = 1 << 20
	maxMultipartBody = 10 << 20
)

// operation is a domain handler with the permission it needs on its chatbot or account.
type operation struct {
	perm store.Permission
	fn   func(*call) (result, error)
}

// call is one API request after matching, authentication and validation.
type call struct {
	r      *http.Request
	route  *spec.Route
	who    store.Principal
	access store.Access
	body   []byte
	query  url.Values
	// json is the body as request validation decoded it (spec.ValidateRequestQueryBody), when
	// decoded is set: decode reads it rather than the bytes.
	json    any
	decoded bool
	m       *Mock
	// heldBody is the share of the in-flight body budget the body holds (-1: none).
	heldBody int64
}

func (c *call) param(name string) string { return c.route.PathParams[name] }

// decode reads the JSON body into v; the spec has validated it already, so a failure here
// is a type the Go side does not accept (answered as a validation error). When validation
// decoded the body, v is filled from that value where it can be (fromDecoded): one decode
// a request, not two.
func (c *call) decode(v any) error {
	if c.decoded && fromDecoded(v, c.json) {
		return nil
	}
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return &apierr.Error{Code: apierr.RequestValidationFailed, Message: "Request body is not valid",
			Fields: []apierr.FieldError{{Path: []any{}, Message: err.Error()}}}
	}
	return nil
}

// fields decodes the JSON body as an object, to tell a field sent as null from one left out.
func (c *call) fields() (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(c.body)) == 0 {
		return out, nil
	}
	if err := json.Unmarshal(c.body, &out); err != nil {
		return nil, &apierr.Error{Code: apierr.RequestValidationFailed, Message: "Request body must be a JSON object",
			Fields: []apierr.FieldError{{Path: []any{}, Message: err.Error()}}}
	}
	return out, nil
}

func (m *Mock) handle(opID string, perm store.Permission, fn func(*call) (result, error)) {
	m.ops[opID] = operation{perm: perm, fn: fn}
}

// serveChain runs a public API request through the request chain, in this order; each step
// either answers the request (and the chain stops) or hands it on:
//
//	route      match method and path against the spec (spec.MatchInto, into the request's
//	           reused state: requestState in reqstate.go)
//	ip limit   the per-IP limit (limits.go), before 404/405: matching has no effect of its own
//	unmatched  404, or 405 with Allow (answerUnmatched, shared with the control plane)
//	query      a query Go would read leniently is refused (checkQuery); parsed once, here
//	auth       the bearer key (authenticate) and the per-user limit
//	upload     the per-account upload concurrency
//	faults     fault rules and the Prefer header (faults.go)
//	body       read within its size limit (readBody)
//	validation the request against the operation (spec.ValidateRequestQueryBody →
//	           validationError), with the query checkQuery parsed; the JSON body it decoded
//	           goes on to the handler (call.decode)
//	generated  an operation without a domain handler answers its example (generated.go)
//	scope      the caller's access to the chatbot or account in the path (resolveScope)
//	handler    the domain handler; its result or error is written in the envelope
//
// It stays one function on purpose (over the house's ~80 lines): each step is a few lines
// that answer and return or hand on, and the order above is the contract; split into
// functions, the early returns would become flags passed back up.
func (m *Mock) serveChain(w http.ResponseWriter, r *http.Request, st *requestState) {
	info := &st.info
	route := &st.route
	err := m.spec.MatchInto(route, r.Method, r.URL.EscapedPath())
	if err != nil {
		route = nil
	}
	if strings.Contains(r.URL.EscapedPath(), "//") { // //api/v1/... is no route of the API
		route, err = nil, errNoRoute
	}
	if route != nil {
		info.operationID = route.OperationID
	}
	if e := m.limitIP(w, r, info); e != nil {
		if err != nil {
			markUnmatched(w)
		}
		writeOpError(w, info.operationID, e)
		return
	}
	if err != nil {
		m.peekIP(w, r, info)
		answerUnmatched(w, r, err, apiPlane)
		return
	}
	query, e := checkQuery(r, route, st.query)
	if e != nil {
		m.peekIP(w, r, info)
		m.answerUndeclared(w, route, http.StatusBadRequest, e)
		return
	}
	c := &st.call
	*c = call{r: r, route: route, query: query, m: m, heldBody: -1}
	if m.contract || m.spec.NeedsAuth(route) {
		who, err := m.authenticate(r)
		if err != nil && !m.forgivesAPIAccess(err) {
			m.peekIP(w, r, info)
			writeOpError(w, route.OperationID, apierr.As(err))
			return
		}
		c.who = who
		info.accountID = who.AccountID
		if e := m.limitUser(w, who, info); e != nil {
			writeOpError(w, route.OperationID, e)
			return
		}
	}
	// The body is read before an upload slot is taken: a client trickling its body holds
	// its connection (until the server's read timeout), not one of its account's slots.
	e = m.admitBody(c)
	defer m.releaseBody(c)
	if e != nil {
		writeOpError(w, route.OperationID, e)
		return
	}
	release, lerr := m.limitUpload(w, c, info)
	defer release()
	if lerr != nil {
		writeOpError(w, route.OperationID, lerr)
		return
	}
	w, finish, done := m.injectFaults(w, c, info)
	defer finish()
	if done {
		return
	}
	if e := contentTypeError(route, r, c.body); e != nil && !m.skipsValidation(route) {
		writeOpError(w, route.OperationID, e)
		return
	}
	if doc, decoded, err := m.spec.ValidateRequestQueryBody(r.Context(), r, route, c.query, c.body); err != nil && !m.skipsValidation(route) {
		writeOpError(w, route.OperationID, m.validationError(route, err))
		return
	} else if err == nil {
		c.json, c.decoded = doc, decoded
	}
	op, ok := m.ops[route.OperationID]
	if !ok {
		m.serveGenerated(w, r, route)
		return
	}
	if err := m.resolveScope(c, op.perm); err != nil {
		writeOpError(w, route.OperationID, unknownChatbot(route.OperationID, op.perm, err))
		return
	}
	res, err := op.fn(c)
	if err != nil {
		// A chatbot deleted meanwhile answers as an unknown one.
		e := noValidFields(c, unknownChatbot(route.OperationID, op.perm, err))
		if rl := e.RateLimit; rl != nil { // a plan limit: the headers describe it
			info.rate.set, info.rate.best = true, limits.Decision{Limit: rl.Limit, Remaining: rl.Remaining, RetryAfter: time.Duration(rl.RetryAfter) * time.Second}
			info.rate.write(w)
		}
		if e.Cause != nil {
			m.log.Error("handler failed", "operationId", route.OperationID, "err", e.Cause)
		}
		writeOpError(w, route.OperationID, e)
		return
	}
	writeResult(w, res)
}

// authenticate reads `Authorization: Bearer <key>`.
func (m *Mock) authenticate(r *http.Request) (store.Principal, error) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, token, _ := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	// No header, an empty one, or the scheme with no token: MISSING_JWT, as every 401 of
	// the reference shows. A wrong, malformed or unknown key: API_KEY_NOT_VALID, as the
	// getting-started page shows.
	if h == "" || (strings.EqualFold(scheme, "Bearer") && token == "") {
		return store.Principal{}, apierr.New(apierr.MissingJWT, "Authorization header is missing")
	}
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return store.Principal{}, apierr.New(apierr.APIKeyNotValid, "Authorization header does not contain a valid API key")
	}
	return m.store.Authenticate(token)
}

// admitBody refuses a write over the memory ceiling before its body is read (memory.go),
// then reads the body, which holds its share of the in-flight body budget until
// releaseBody.
func (m *Mock) admitBody(c *call) *apierr.Error {
	if storesOnWrite(c.r.Method) {
		if e := m.memory.refuse(); e != nil {
			return e
		}
	}
	if err := m.readBody(c); err != nil {
		return apierr.As(err)
	}
	return nil
}

// releaseBody gives back the body's share of the in-flight budget (when it took one).
func (m *Mock) releaseBody(c *call) {
	if c.heldBody >= 0 {
		m.memory.giveBackBody(c.heldBody)
		c.heldBody = -1
	}
}

// readBody reads the body within its limit into c.body; c.heldBody is the share of the
// in-flight budget (memory.go) it took, until releaseBody.
func (m *Mock) readBody(c *call) error {
	r := c.r
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	limit := int64(maxJSONBody)
	mediaType, _ := bodyMediaType(r.Header.Get("Content-Type"))
	if mediaType == "multipart/form-data" {
		limit = maxMultipartBody
	}
	if r.ContentLength > limit {
		return tooLarge(limit)
	}
	reserve := limit
	if r.ContentLength >= 0 {
		reserve = r.ContentLength
	}
	if !m.memory.takeBody(reserve) {
		return bodyBudgetExceeded()
	}
	c.heldBody = reserve
	return m.readBodyBytes(c, limit, mediaType)
}

func (m *Mock) readBodyBytes(c *call, limit int64, mediaType string) error {
	r := c.r
	body, err := readAllSized(r.Body, r.ContentLength, limit+1)
	if err != nil {
		return &apierr.Error{Code: apierr.RequestValidationFailed, Message: "Request body could not be read",
			Fields: []apierr.FieldError{{Path: []any{}, Message: err.Error()}}}
	}
	if int64(len(body)) > limit {
		return tooLarge(limit)
	}
	if mediaType == "application/json" && !utf8.Valid(body) {
		return &apierr.Error{Code: apierr.RequestValidationFailed, Message: "Request body is not valid",
			Fields: []apierr.FieldError{{Path: []any{}, Message: "request body is not valid UTF-8"}}}
	}
	if bad := badJSONText(body); bad != "" && mediaType != "multipart/form-data" {
		return &apierr.Error{Code: apierr.RequestValidationFailed, Message: "Request body is not valid",
			Fields: []apierr.FieldError{{Path: []any{}, Message: "text may not contain " + bad}}}
	}
	if d := jsonDepth(body); mediaType != "multipart/form-data" && d > maxJSONDepth {
		return &apierr.Error{Code: apierr.RequestValidationFailed, Message: "Request body is not valid",
			Fields: []apierr.FieldError{{Path: []any{}, Message: fmt.Sprintf("JSON nests %d levels deep; at most %d are accepted", d, maxJSONDepth)}}}
	}
	c.body = body // request validation gives kin a fresh reader of it (spec.ValidateRequestQueryBody)
	return nil
}

// readAllSized is io.ReadAll(io.LimitReader(r, max)) with its first buffer sized for a body
// of size bytes (the Content-Length; -1 when unknown): a small body costs its own size, not
// io.ReadAll's 512-byte start, and no LimitedReader is made.
func readAllSized(r io.Reader, size, max int64) ([]byte, error) {
	if size < 0 || size > 512 {
		size = 512
	}
	b := make([]byte, 0, min(size+1, max)) // one byte more: room to read the end without growing
	for int64(len(b)) < max {
		end := int64(cap(b))
		if end > max {
			end = max
		}
		n, err := r.Read(b[len(b):end])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) && int64(len(b)) < max {
			b = append(b, 0)[:len(b)]
		}
	}
	return b, nil
}

// bodyMediaType is mime.ParseMediaType's media type and error for a Content-Type header
// (parameters dropped); the usual "application/json" without parsing (ParseMediaType
// makes a map of parameters each time).
func bodyMediaType(ct string) (string, error) {
	if ct == "application/json" {
		return ct, nil
	}
	mediaType, _, err := mime.ParseMediaType(ct)
	return mediaType, err
}

func tooLarge(limit int64) *apierr.Error {
	return apierr.New(apierr.PayloadTooLarge, "Request body is larger than %d bytes", limit).
		WithDetails(map[string]any{"limitBytes": limit})
}

// validationError maps a spec validation failure to the envelope: for a missing required
// field, the code the operation documents (spec.Route.MissingFieldCode), else
// REQUEST_VALIDATION_FAILED.
func (m *Mock) validationError(route *spec.Route, err error) *apierr.Error {
	var re *spec.RequestError
	if !errors.As(err, &re) {
		return &apierr.Error{Code: apierr.RequestValidationFailed, Message: "Request is not valid",
			Fields: []apierr.FieldError{{Path: []any{}, Message: err.Error()}}}
	}
	code := apierr.RequestValidationFailed
	if (re.MissingRequired || notABatch(route, re)) && route.MissingFieldCode != "" {
		code = route.MissingFieldCode
	}
	msg := "Request is not valid"
	if len(re.Fields) > 0 {
		msg = re.Fields[0].Message
	}
	if missing := missingNames(re.Fields); len(missing) == len(re.Fields) && len(missing) > 0 {
		msg = "Missing required field: " + strings.Join(missing, ", ")
	}
	if notABatch(route, re) {
		msg = "The body must be a non-empty JSON array of updates: " + msg
	}
	return &apierr.Error{Code: code, Message: msg, Fields: fieldErrors(re.Fields)}
}

// missingNames names the missing required fields among fs (dotted paths; "request body" for
// the body itself), in their order.
func missingNames(fs []spec.FieldError) []string {
	var out []string
	for _, f := range fs {
		if !f.Required {
			continue
		}
		parts := make([]string, 0, len(f.Path))
		for _, p := range f.Path {
			parts = append(parts, fmt.Sprint(p))
		}
		name := strings.Join(parts, ".")
		if name == "" {
			name = "request body"
		}
		out = append(out, name)
	}
	return out
}

// notABatch tells whether a batch operation's body (a JSON array, like update-thread) failed
// as a whole: not an array, or an empty one. The reference answers such a body as a missing
// required field (the list of updates).
func notABatch(route *spec.Route, re *spec.RequestError) bool {
	if !route.JSONBodyIsArray() || len(re.Fields) == 0 {
		return false
	}
	for _, f := range re.Fields {
		if len(f.Path) != 0 || (f.In != "" && f.In != "body") {
			return false
		}
	}
	return true
}

// fieldErrors converts the spec's field errors to the domain's, once, at the seam.
func fieldErrors(in []spec.FieldError) []apierr.FieldError {
	if in == nil {
		return nil
	}
	out := make([]apierr.FieldError, len(in))
	for i, f := range in {
		msg := f.Message
		if f.Required { // a missing field's item says "Required", as the getting-started page shows
			msg = apierr.Required
		}
		out[i] = apierr.FieldError{Path: f.Path, Message: msg, In: f.In}
	}
	return out
}

// resolveScope checks the caller's access to the chatbot or account in the path.
func (m *Mock) resolveScope(c *call, perm store.Permission) error {
	chatbotID, hasBot := c.route.PathParams["chatbotId"]
	accountID, hasAcc := c.route.PathParams["accountId"]
	switch {
	case hasAcc && hasBot: // one chatbot of an account: the caller's role on that chatbot
		a, err := m.store.AccountChatbotAccess(c.who, accountID, chatbotID, perm)
		if err != nil {
			return err
		}
		c.access = a
	case hasAcc: // account-wide, as the reference documents (e.g. all chatbots)
		a, err := m.store.AccountAccess(c.who, accountID, perm)
		if err != nil {
			return err
		}
		c.access = a
	case hasBot:
		a, err := m.store.ChatbotAccess(c.who, chatbotID, perm)
		if granted, ok := m.crossAccountRead(c, chatbotID, err); ok {
			a, err = granted, nil
		}
		if err != nil {
			return err
		}
		c.access = a
	default:
		c.access = store.Access{AccountID: c.who.AccountID, Role: c.who.Role, Plan: c.who.Plan}
		if perm != "" && !c.who.Role.Can(perm) {
			return apierr.New(apierr.InsufficientPermissions, "User does not have permission to perform this action").
				WithDetails(map[string]any{"action": string(perm), "role": string(c.who.Role)})
		}
	}
	return nil
}

// internalError is the 500 for an unexpected failure; cause is logged, never sent.
func internalError(cause error) *apierr.Error { return apierr.Internal(cause) }
