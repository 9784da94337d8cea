package control

import (
	"net/http"
)

func (s *Server) scale(w http.ResponseWriter, r *http.Request) {
	var req ScaleRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Name == "" || req.Count == nil {
		writeError(w, http.StatusBadRequest, "bad_request", `name and count are required ({"name":"web","count":3})`)
		return
	}
	ctx, cancel, ok := withTimeout(w, r, req.Timeout)
	if !ok {
		return
	}
	defer cancel()
	rs, err := s.b.Scale(ctx, req.Name, *req.Count, req.Wait)
	if err != nil {
		backendError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, ResultsReply{Schema: SchemaResults, Results: rs})
}
