package fhir

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"repere/internal/audit"
	"repere/internal/catalog"
)

// Prefix is the path the handler serves; mount it as mux.Handle("/fhir/", h).
const Prefix = "/fhir"

// MaxBody is the largest request body accepted.
const MaxBody = 1 << 20

// ContentType is the type of every response.
const ContentType = "application/fhir+json; charset=utf-8"

// Options configure the API.
type Options struct {
	// BaseURL is the absolute URL of the API as clients see it, without a
	// trailing slash (e.g. "https://repere.example.fr/fhir"); it prefixes
	// links, fullUrl and Location. Empty: Prefix, relative to the host.
	BaseURL string
	// Catalog names the acts and checks those of received referrals.
	Catalog *catalog.Catalog
	// Lang is the language of act names (default "fr").
	Lang string
	// Location is the practice's time zone for times and date searches
	// (default Europe/Paris).
	Location *time.Location
	Now      func() time.Time // default time.Now
	Version  string           // software version in the CapabilityStatement
	Logger   *slog.Logger     // default slog.Default()
	// Backend, when set, serves SMART Backend Services: the token endpoint
	// (client credentials with a signed JWT assertion) and its
	// configuration at /fhir/.well-known/smart-configuration.
	Backend BackendClients
}

type handler struct {
	src   Source
	auth  Authenticator
	opts  Options
	kinds map[string]*kind
	meta  []byte // the CapabilityStatement, written once
}

// NewHandler returns the FHIR R4 REST API. GET /fhir/metadata needs no
// token; every other request needs a bearer token whose client has a scope
// for the resource type. No answer may be cached (Cache-Control: no-store).
func NewHandler(src Source, auth Authenticator, opts Options) http.Handler {
	if opts.Lang == "" {
		opts.Lang = "fr"
	}
	if opts.Location == nil {
		loc, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			loc = time.UTC
		}
		opts.Location = loc
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	opts.BaseURL = strings.TrimSuffix(opts.BaseURL, "/")
	if opts.BaseURL == "" {
		opts.BaseURL = Prefix
	}
	h := &handler{src: src, auth: auth, opts: opts, kinds: kinds()}
	h.meta, _ = json.Marshal(h.capabilityStatement(""))
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Prefix+"/metadata", h.metadata)
	if opts.Backend != nil {
		mux.HandleFunc("GET "+Prefix+"/.well-known/smart-configuration", h.smartConfiguration)
		mux.HandleFunc(Prefix+tokenPath, h.token)
	}
	mux.HandleFunc("POST "+Prefix, h.transaction)
	mux.HandleFunc("POST "+Prefix+"/{$}", h.transaction)
	mux.HandleFunc(Prefix+"/{type}/{id}/_history", h.authorized(h.history))
	mux.HandleFunc(Prefix+"/{type}/{id}/_history/{vid}", h.authorized(h.vread))
	mux.HandleFunc(Prefix+"/{type}/{id}", h.authorized(h.instance))
	mux.HandleFunc(Prefix+"/{type}", h.authorized(h.typeLevel))
	mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, http.StatusNotFound, Outcome("error", "not-supported", "no such FHIR endpoint: "+r.URL.Path))
	})
	// Answers hold patient data: no cache (a proxy's, or the client's disk)
	// keeps them.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		mux.ServeHTTP(w, r)
	})
}

func (h *handler) metadata(w http.ResponseWriter, r *http.Request) {
	if !acceptsJSON(r) {
		h.notAcceptable(w, r)
		return
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(http.StatusOK)
	if h.opts.Backend == nil {
		w.Write(h.meta)
		return
	}
	// The token endpoint's URL follows the address the client used, as in
	// the SMART configuration, so both ways of finding it agree.
	meta, _ := json.Marshal(h.capabilityStatement(h.tokenURL(r)))
	w.Write(meta)
}

// authenticate finds the client of the request's bearer token, or answers 401.
func (h *handler) authenticate(w http.ResponseWriter, r *http.Request) (Client, bool) {
	token, ok := bearer(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="fhir"`)
		h.fail(w, r, http.StatusUnauthorized, Outcome("error", "login", "a bearer token is required"))
		return Client{}, false
	}
	client, err := h.auth.Authenticate(r.Context(), token)
	switch {
	case errors.Is(err, ErrExpiredToken):
		w.Header().Set("WWW-Authenticate", `Bearer realm="fhir", error="invalid_token", error_description="the token has expired"`)
		h.fail(w, r, http.StatusUnauthorized, Outcome("error", "expired", "the bearer token has expired: ask the practice's administrator for a new one, or a new access token at the token endpoint"))
		return Client{}, false
	case errors.Is(err, ErrInvalidToken):
		w.Header().Set("WWW-Authenticate", `Bearer realm="fhir", error="invalid_token"`)
		h.fail(w, r, http.StatusUnauthorized, Outcome("error", "login", "the bearer token is not valid"))
		return Client{}, false
	case err != nil:
		h.internal(w, r, err)
		return Client{}, false
	}
	return client, true
}

// allowed checks a scope, or answers 403.
func (h *handler) allowed(w http.ResponseWriter, r *http.Request, client Client, typ string, access Access) bool {
	if client.Allows(typ, access) {
		return true
	}
	scope := "system/" + typ + "." + string(access)
	w.Header().Set("WWW-Authenticate", `Bearer realm="fhir", error="insufficient_scope", scope="`+scope+`"`)
	h.fail(w, r, http.StatusForbidden, Outcome("error", "forbidden", "this client lacks the scope "+scope))
	return false
}

// withActor puts the client and its audit actor in the request's context.
func withActor(r *http.Request, client Client) *http.Request {
	ctx := withClient(r.Context(), client)
	ctx = audit.WithActor(ctx, audit.Actor{Login: "fhir:" + client.ID, Role: "fhir_client", RemoteAddr: r.RemoteAddr})
	return r.WithContext(ctx)
}

// authorized checks the format, the token and the scope, then runs next with
// the client and its audit actor in the context. A Binary may be asked for
// in its own media type.
func (h *handler) authorized(next func(http.ResponseWriter, *http.Request, *kind)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		k, known := h.kinds[r.PathValue("type")]
		if !acceptsJSON(r) && !(known && k.name == "Binary") {
			h.notAcceptable(w, r)
			return
		}
		client, ok := h.authenticate(w, r)
		if !ok {
			return
		}
		if !known {
			h.fail(w, r, http.StatusNotFound, Outcome("error", "not-supported", "resource type "+r.PathValue("type")+" is not served here (see /fhir/metadata)"))
			return
		}
		access := Read
		if r.Method == http.MethodPost {
			access = Write
		}
		if !h.allowed(w, r, client, k.name, access) {
			return
		}
		next(w, h.withBase(withActor(r, client)), k)
	}
}

func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	return token, ok && strings.EqualFold(scheme, "Bearer") && token != ""
}

// instance serves GET [type]/[id]: the resource with its ETag (304 when
// If-None-Match names its version); a Binary's document itself unless a
// FHIR format is asked for.
func (h *handler) instance(w http.ResponseWriter, r *http.Request, k *kind) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead || k.read == nil {
		h.notAllowed(w, r, k, false)
		return
	}
	if k.name == "Binary" && !wantsResource(r) {
		h.rawBinary(w, r)
		return
	}
	res, err := h.readOne(r.Context(), k, r.PathValue("id"))
	if err != nil {
		h.notFoundOr(w, r, k, err)
		return
	}
	m := metaOf(res)
	setVersionHeaders(w, m)
	if etagMatches(r.Header.Get("If-None-Match"), m) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	var elements []string
	if v := r.URL.Query().Get("_elements"); v != "" {
		elements = strings.Split(v, ",")
	}
	h.write(w, r, http.StatusOK, subset(res, elements))
}

// notFoundOr answers 404 for ErrNotFound, 500 otherwise.
func (h *handler) notFoundOr(w http.ResponseWriter, r *http.Request, k *kind, err error) {
	if errors.Is(err, ErrNotFound) {
		h.fail(w, r, http.StatusNotFound, Outcome("error", "not-found", k.name+"/"+r.PathValue("id")+" does not exist"))
		return
	}
	h.internal(w, r, err)
}

// typeLevel serves GET [type]?params (search) and POST [type] (create).
func (h *handler) typeLevel(w http.ResponseWriter, r *http.Request, k *kind) {
	switch {
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && k.search != nil:
		h.searchType(w, r, k)
	case r.Method == http.MethodPost && k.create != nil:
		h.createType(w, r, k)
	default:
		h.notAllowed(w, r, k, true)
	}
}

func (h *handler) notAllowed(w http.ResponseWriter, r *http.Request, k *kind, typeLevel bool) {
	var allow []string
	if typeLevel && k.search != nil || !typeLevel && (k.read != nil || k.history != nil) {
		allow = append(allow, "GET")
	}
	if typeLevel && k.create != nil {
		allow = append(allow, "POST")
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	h.fail(w, r, http.StatusMethodNotAllowed, Outcome("error", "not-supported", r.Method+" is not supported here for "+k.name))
}

func (h *handler) notAcceptable(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, http.StatusNotAcceptable, Outcome("error", "not-supported", "only JSON is served (application/fhir+json)"))
}

func (h *handler) internal(w http.ResponseWriter, r *http.Request, err error) {
	h.opts.Logger.ErrorContext(r.Context(), "fhir", "method", r.Method, "path", r.URL.Path, "err", err)
	h.fail(w, r, http.StatusInternalServerError, Outcome("fatal", "exception", "internal error"))
}

func (h *handler) fail(w http.ResponseWriter, r *http.Request, status int, oo OperationOutcome) {
	h.write(w, r, status, oo)
}

func (h *handler) write(w http.ResponseWriter, r *http.Request, status int, v any) {
	var body []byte
	var err error
	if r.URL.Query().Get("_pretty") == "true" {
		body, err = json.MarshalIndent(v, "", "  ")
	} else {
		body, err = json.Marshal(v)
	}
	if err != nil {
		h.opts.Logger.ErrorContext(r.Context(), "fhir: encoding", "err", err)
		status, body = http.StatusInternalServerError, []byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"exception"}]}`)
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// jsonTypes are the media types and _format values taken as JSON.
var jsonTypes = map[string]bool{"json": true, "application/json": true, "application/fhir+json": true,
	"application/json+fhir": true, "*/*": true, "application/*": true}

// acceptsJSON tells whether the client takes JSON: _format wins over Accept.
func acceptsJSON(r *http.Request) bool {
	if f := r.URL.Query().Get("_format"); f != "" {
		// A "+" left unescaped in the query reads as a space.
		mt := strings.ReplaceAll(mediaType(f), " ", "+")
		return jsonTypes[mt] && mt != "*/*" && mt != "application/*"
	}
	accept := r.Header.Get("Accept")
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for _, part := range strings.Split(accept, ",") {
		if jsonTypes[mediaType(part)] {
			return true
		}
	}
	return false
}

// mediaType is a media type without its parameters, in lower case.
func mediaType(s string) string {
	s, _, _ = strings.Cut(s, ";")
	return strings.ToLower(strings.TrimSpace(s))
}

// lenient tells whether the client asked for unknown search parameters to
// be ignored (Prefer: handling=lenient); the default is strict.
func lenient(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.ReplaceAll(strings.TrimSpace(p), " ", ""), "handling=lenient") {
				return true
			}
		}
	}
	return false
}

// actName is the act's name in the catalogue, or its id when unknown.
func (h *handler) actName(actID string) string {
	if h.opts.Catalog != nil {
		if a, ok := h.opts.Catalog.Act(actID); ok {
			return a.Name.In(h.opts.Lang)
		}
	}
	return actID
}

func (h *handler) today() time.Time { return h.opts.Now().In(h.opts.Location) }
