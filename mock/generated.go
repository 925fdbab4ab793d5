package mock

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/contextgpt/sandbox/spec"
)

// serveGenerated answers an operation that has no domain handler with its first 2xx
// response: the spec's example when it has one, else data generated from the schema
// (mock/fake; deterministic for a seed and an operation). The request has been matched,
// authenticated where needed and validated already.
func (m *Mock) serveGenerated(w http.ResponseWriter, r *http.Request, route *spec.Route) {
	status, contentType, body := m.fake.Response(route.Operation)
	if contentType == "" {
		w.WriteHeader(status)
		return
	}
	if isJSON(contentType) {
		b, err := json.Marshal(body)
		if err != nil {
			m.log.Error("generated body does not encode", "operationId", route.OperationID, "err", err)
			writeOpError(w, route.OperationID, internalError(err))
			return
		}
		writeBytes(w, status, contentType, b)
		return
	}
	var b []byte
	switch v := body.(type) {
	case nil:
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		b = []byte(fmt.Sprint(v))
	}
	writeBytes(w, status, contentType, b)
}

func isJSON(contentType string) bool {
	ct := strings.ToLower(contentType)
	return ct == "application/json" || strings.HasSuffix(ct, "+json")
}

func writeBytes(w http.ResponseWriter, status int, contentType string, b []byte) {
	if isJSON(contentType) {
		contentType += "; charset=utf-8"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
