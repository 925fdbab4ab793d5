package mock

import (
	"net/url"
	"sync"

	"github.com/contextgpt/sandbox/spec"
)

// requestState is what the chain keeps about one request, allocated together and reused
// (requestStates): the matched route, the recorder, the journal's reqInfo, the call and
// its query map. At
// ~30,000 requests a second each byte a request allocates is 30 MB/s for the collector;
// these were a third of a page of threads' bytes. Nothing holds on to them once ServeHTTP
// returns: no goroutine outlives a request, a journal entry copies what it keeps, and
// handlers read the call and the query only while they run.
type requestState struct {
	route spec.Route // the matched operation (spec.MatchInto), its PathParams map reused
	rec   recorder
	info  reqInfo
	call  call
	query url.Values // filled by checkQuery when it can be (parseQueryInto)
}

var requestStates = sync.Pool{New: func() any { return &requestState{query: url.Values{}} }}

func getRequestState() *requestState { return requestStates.Get().(*requestState) }

// putRequestState clears st (its maps and buffers keep their room, up to a bound) and
// gives it back.
func putRequestState(st *requestState) {
	if len(st.query) > 64 || len(st.route.PathParams) > 8 || cap(st.rec.errBody) > maxJournalErrorBody {
		return // an unusual request: let its state go
	}
	clear(st.query)
	params := st.route.PathParams
	clear(params)
	*st = requestState{route: spec.Route{PathParams: params}, rec: recorder{errBody: st.rec.errBody[:0]}, query: st.query}
	requestStates.Put(st)
}
