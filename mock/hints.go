package mock

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/spec"
)

// Errors that say what to do (issue 13, item 20): within the documented envelope, codes and
// messages, the details name what the operation expects.

// contentTypeError refuses a body sent with a media type the operation does not take, saying
// which it takes ("send the body as application/json", or "application/json or
// multipart/form-data" where the reference documents both). Nil when the type is taken, or
// the operation takes no body, or none was sent (the validator answers a missing body).
func contentTypeError(route *spec.Route, r *http.Request, body []byte) *apierr.Error {
	accepted := route.BodyMediaTypes()
	if len(accepted) == 0 || len(body) == 0 {
		return nil
	}
	got := r.Header.Get("Content-Type")
	if mediaType, err := bodyMediaType(got); err == nil && slices.Contains(accepted, strings.ToLower(mediaType)) {
		return nil
	}
	want := strings.Join(accepted, " or ")
	msg := fmt.Sprintf("Content-Type %q is not accepted here: send the body as %s", got, want)
	if got == "" {
		msg = "The request has a body but no Content-Type: send it as " + want
	}
	return &apierr.Error{Code: apierr.RequestValidationFailed, Message: msg,
		Details: map[string]any{"contentType": got, "acceptedContentTypes": accepted},
		Fields:  []apierr.FieldError{{Path: []any{}, Message: msg}}}
}

// noValidFields completes a NO_VALID_FIELDS_TO_UPDATE answer: details name the fields the
// request sent that the operation does not update (rejectedFields) and those it does
// (acceptedFields), both sorted; the documented message stays.
func noValidFields(c *call, e *apierr.Error) *apierr.Error {
	if e.Code != apierr.NoValidFieldsToUpdate {
		return e
	}
	accepted := make([]string, 0, len(c.route.BodyFields))
	for f := range c.route.BodyFields {
		accepted = append(accepted, f)
	}
	sort.Strings(accepted)
	rejected := []string{}
	if sent, err := c.fields(); err == nil {
		for f := range sent {
			if _, ok := c.route.BodyFields[f]; !ok {
				rejected = append(rejected, f)
			}
		}
	}
	sort.Strings(rejected)
	out := *e
	out.Fields = nil // the documented answer has no errors[]: the lists are in details
	out.Details = map[string]any{"rejectedFields": rejected, "acceptedFields": accepted}
	return &out
}
