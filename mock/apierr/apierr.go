// Package apierr is the mock's one application error: a stable machine code, a message for
// people, optional details and field errors, and the one table that maps codes to HTTP statuses.
package apierr

import (
	"errors"
	"fmt"
	"net/http"
)

// Codes are a contract: clients branch on them, so they never change meaning.
const (
	RequestValidationFailed  = "REQUEST_VALIDATION_FAILED"
	MissingRequiredField     = "MISSING_REQUIRED_FIELD"
	NoValidFieldsToUpdate    = "NO_VALID_FIELDS_TO_UPDATE"
	InvalidFieldValue        = "INVALID_FIELD_VALUE"
	APIKeyNotValid           = "API_KEY_NOT_VALID"
	MissingJWT               = "MISSING_JWT"
	APIAccessNotInPlan       = "API_ACCESS_NOT_IN_PLAN"
	InsufficientPermissions  = "INSUFFICIENT_PERMISSIONS"
	ChatbotFetchForbidden    = "CHATBOT_FETCH_FORBIDDEN"
	ChatbotLimitReached      = "CHATBOT_LIMIT_REACHED"
	WebhooksNotInPlan        = "WEBHOOKS_NOT_IN_PLAN"
	ChatbotNotFound          = "CHATBOT_NOT_FOUND"
	ResourceNotFound         = "RESOURCE_NOT_FOUND"
	AppearanceNotFound       = "APPEARANCE_SETTINGS_NOT_FOUND"
	LeadSettingsNotFound     = "LEAD_SETTINGS_NOT_FOUND"
	HumanSupportNotFound     = "HUMAN_SUPPORT_SETTINGS_NOT_FOUND"
	TextSnippetNotFound      = "TEXT_SNIPPET_NOT_FOUND"
	LocalizationNotFound     = "LOCALIZATION_NOT_FOUND"
	ThreadNotFound           = "THREAD_NOT_FOUND"
	MessageNotFound          = "MESSAGE_NOT_FOUND"
	WebhookNotFound          = "WEBHOOK_NOT_FOUND"
	DeliveryNotFound         = "DELIVERY_NOT_FOUND"
	AccountNotFound          = "ACCOUNT_NOT_FOUND"
	MethodNotAllowed         = "METHOD_NOT_ALLOWED"
	ChatbotAlreadyExists     = "CHATBOT_ALREADY_EXISTS"
	AppearanceAlreadyExist   = "APPEARANCE_SETTINGS_ALREADY_EXIST"
	LeadSettingsAlreadyExist = "LEAD_SETTINGS_ALREADY_EXIST"
	HumanSupportAlreadyExist = "HUMAN_SUPPORT_SETTINGS_ALREADY_EXIST"
	PayloadTooLarge          = "PAYLOAD_TOO_LARGE"
	RateLimitExceeded        = "RATE_LIMIT_EXCEEDED"
	MessagesLimitReached     = "MESSAGES_LIMIT_REACHED"
	NotImplemented           = "NOT_IMPLEMENTED"
	InternalServerError      = "INTERNAL_SERVER_ERROR"
	UnsupportedMediaType     = "UNSUPPORTED_MEDIA_TYPE"
	// StoreLimitReached: one of the mock's caps on what it holds (README "Limits and
	// safety") is reached; nothing was stored.
	StoreLimitReached = "STORE_LIMIT_REACHED"
	// URITooLong and HeaderFieldsTooLarge: the request line or headers are over the mock's caps.
	URITooLong           = "URI_TOO_LONG"
	HeaderFieldsTooLarge = "HEADER_FIELDS_TOO_LARGE"
)

// Control-plane codes (/__mock/...): the control plane answers {"error":{code,message}},
// not the public envelope, with these codes and the shared ones above (METHOD_NOT_ALLOWED,
// NOT_IMPLEMENTED, the store's *_NOT_FOUND).
const (
	InvalidRequest         = "INVALID_REQUEST"
	InvalidState           = "INVALID_STATE"
	InvalidFault           = "INVALID_FAULT"
	InvalidPlan            = "INVALID_PLAN"
	InternalError          = "INTERNAL_ERROR"
	NotFound               = "NOT_FOUND"
	FaultNotFound          = "FAULT_NOT_FOUND"
	SandboxNotFound        = "SANDBOX_NOT_FOUND"
	NotASandbox            = "NOT_A_SANDBOX"
	AdminTokenInvalid      = "ADMIN_TOKEN_INVALID"
	AdminForbidden         = "ADMIN_FORBIDDEN"
	AdminCrossSite         = "ADMIN_CROSS_SITE"
	AdminHostNotAllowed    = "ADMIN_HOST_NOT_ALLOWED"
	ClockNotManual         = "CLOCK_NOT_MANUAL"
	ClockBackwards         = "CLOCK_BACKWARDS"
	LeadCollectionDisabled = "LEAD_COLLECTION_DISABLED"
	UserNotFound           = "USER_NOT_FOUND"
	ChatbotMemberNotFound  = "CHATBOT_MEMBER_NOT_FOUND"
	NotAMember             = "NOT_A_MEMBER"
	InvalidAddon           = "INVALID_ADDON"
	// ConversationLimitReached refuses a visitor message past the chatbot's
	// maxMessagesPerConversation (with limitMessagesPerConversation on): the widget prompts
	// the visitor to start a new conversation; nothing is stored or charged.
	ConversationLimitReached = "CONVERSATION_LIMIT_REACHED"
	// SinkConfiguredFailure is answered with the status the sink was configured to fail with
	// (Error.StatusOverride); the table's 500 is its status when none is given.
	SinkConfiguredFailure = "SINK_CONFIGURED_FAILURE"
)

// statuses is the one table of code → HTTP status.
var statuses = map[string]int{
	RequestValidationFailed:  http.StatusBadRequest,
	MissingRequiredField:     http.StatusBadRequest,
	NoValidFieldsToUpdate:    http.StatusBadRequest,
	InvalidFieldValue:        http.StatusBadRequest,
	UnsupportedMediaType:     http.StatusBadRequest,
	APIKeyNotValid:           http.StatusUnauthorized,
	MissingJWT:               http.StatusUnauthorized,
	APIAccessNotInPlan:       http.StatusForbidden,
	InsufficientPermissions:  http.StatusForbidden,
	ChatbotFetchForbidden:    http.StatusForbidden,
	ChatbotLimitReached:      http.StatusForbidden,
	WebhooksNotInPlan:        http.StatusForbidden,
	ChatbotNotFound:          http.StatusNotFound,
	ResourceNotFound:         http.StatusNotFound,
	AppearanceNotFound:       http.StatusNotFound,
	LeadSettingsNotFound:     http.StatusNotFound,
	HumanSupportNotFound:     http.StatusNotFound,
	TextSnippetNotFound:      http.StatusNotFound,
	LocalizationNotFound:     http.StatusNotFound,
	ThreadNotFound:           http.StatusNotFound,
	MessageNotFound:          http.StatusNotFound,
	WebhookNotFound:          http.StatusNotFound,
	DeliveryNotFound:         http.StatusNotFound,
	AccountNotFound:          http.StatusNotFound,
	MethodNotAllowed:         http.StatusMethodNotAllowed,
	ChatbotAlreadyExists:     http.StatusConflict,
	AppearanceAlreadyExist:   http.StatusConflict,
	LeadSettingsAlreadyExist: http.StatusConflict,
	HumanSupportAlreadyExist: http.StatusConflict,
	PayloadTooLarge:          http.StatusRequestEntityTooLarge,
	RateLimitExceeded:        http.StatusTooManyRequests,
	MessagesLimitReached:     http.StatusTooManyRequests,
	NotImplemented:           http.StatusNotImplemented,
	InternalServerError:      http.StatusInternalServerError,
	StoreLimitReached:        http.StatusForbidden,
	URITooLong:               http.StatusRequestURITooLong,
	HeaderFieldsTooLarge:     http.StatusRequestHeaderFieldsTooLarge,

	InvalidRequest:           http.StatusBadRequest,
	InvalidState:             http.StatusBadRequest,
	InvalidFault:             http.StatusBadRequest,
	InvalidPlan:              http.StatusBadRequest,
	ClockBackwards:           http.StatusBadRequest,
	AdminTokenInvalid:        http.StatusUnauthorized,
	AdminForbidden:           http.StatusForbidden,
	AdminCrossSite:           http.StatusForbidden,
	AdminHostNotAllowed:      http.StatusForbidden,
	NotFound:                 http.StatusNotFound,
	FaultNotFound:            http.StatusNotFound,
	SandboxNotFound:          http.StatusNotFound,
	NotASandbox:              http.StatusConflict,
	ClockNotManual:           http.StatusConflict,
	LeadCollectionDisabled:   http.StatusConflict,
	UserNotFound:             http.StatusNotFound,
	ChatbotMemberNotFound:    http.StatusNotFound,
	NotAMember:               http.StatusConflict,
	InvalidAddon:             http.StatusBadRequest,
	ConversationLimitReached: http.StatusConflict,
	InternalError:            http.StatusInternalServerError,
	SinkConfiguredFailure:    http.StatusInternalServerError,
}

// Codes returns every known code with its status (for documentation and tests).
func Codes() map[string]int {
	out := make(map[string]int, len(statuses))
	for k, v := range statuses {
		out[k] = v
	}
	return out
}

// RateLimit describes the limit a 429 hit.
type RateLimit struct {
	RetryAfter    int // whole seconds until a request would pass
	Limit         int
	Remaining     int
	WindowSeconds int
}

// FieldError names one failing part of a request: Path is the field as segments (names and
// indexes; empty for the whole body), as the envelope's errors[] carries it. In is where the
// field is ("" or "body" for the body, else the parameter's location: "path", "query").
type FieldError struct {
	Path    []any  `json:"path"`
	Message string `json:"message"`
	In      string `json:"-"`
}

// Required is the item message of a required field, parameter or body that is missing, as
// the getting-started page shows.
const Required = "Required"

// ParamsOnly reports whether every field error is a parameter's (none is the body's).
func (e *Error) ParamsOnly() bool {
	for _, f := range e.Fields {
		if f.In == "" || f.In == "body" {
			return false
		}
	}
	return len(e.Fields) > 0
}

// Error is an error with a stable code.
type Error struct {
	Code    string
	Message string
	Details map[string]any
	Fields  []FieldError
	// RateLimit, on 429s, fills Retry-After and the documented body fields.
	RateLimit *RateLimit
	// StatusOverride, when not zero, replaces the table's status (used where the
	// reference documents another status for a code, e.g. 501 with INTERNAL_SERVER_ERROR).
	StatusOverride int
	// Cause is the unexpected error behind an INTERNAL_SERVER_ERROR (a bug or an I/O
	// failure, never a client's mistake): the mock logs it; it never reaches the wire.
	Cause error
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Unwrap returns the cause of an internal error.
func (e *Error) Unwrap() error { return e.Cause }

// Internal is the INTERNAL_SERVER_ERROR answered for an unexpected failure; cause is logged.
func Internal(cause error) *Error {
	return &Error{Code: InternalServerError, Message: "Something went wrong", Cause: cause}
}

// Status is the HTTP status of the error's code (500 for an unknown code).
func (e *Error) Status() int {
	if e.StatusOverride != 0 {
		return e.StatusOverride
	}
	return StatusOf(e.Code)
}

// StatusOf maps a code to its HTTP status; unknown codes are 500.
func StatusOf(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// New makes an error with a code and a formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithDetails returns e with details set.
func (e *Error) WithDetails(d map[string]any) *Error {
	e.Details = d
	return e
}

// As extracts an *Error from err, wrapping any other error as INTERNAL_SERVER_ERROR with
// err as its Cause.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}
