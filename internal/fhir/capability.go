package fhir

import (
	"slices"
	"strings"
)

// CapabilityStatement says what the server does; it is written from the
// same table that routes requests.
type CapabilityStatement struct {
	ResourceType   string              `json:"resourceType"`
	Status         string              `json:"status"`
	Date           string              `json:"date"`
	Publisher      string              `json:"publisher,omitempty"`
	Kind           string              `json:"kind"`
	Software       *CapabilitySoftware `json:"software,omitempty"`
	Implementation *CapabilityImpl     `json:"implementation,omitempty"`
	FhirVersion    string              `json:"fhirVersion"`
	Format         []string            `json:"format"`
	Rest           []CapabilityRest    `json:"rest"`
}

type CapabilitySoftware struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

type CapabilityImpl struct {
	Description string `json:"description"`
	URL         string `json:"url,omitempty"`
}

type CapabilityRest struct {
	Mode          string                  `json:"mode"`
	Documentation string                  `json:"documentation,omitempty"`
	Security      *CapabilitySecurity     `json:"security,omitempty"`
	Resource      []CapabilityResource    `json:"resource"`
	Interaction   []CapabilityInteraction `json:"interaction,omitempty"`
}

type CapabilitySecurity struct {
	Extension   []capabilityExtension `json:"extension,omitempty"`
	Cors        bool                  `json:"cors"`
	Service     []CodeableConcept     `json:"service,omitempty"`
	Description string                `json:"description,omitempty"`
}

type capabilityExtension struct {
	URL       string                `json:"url"`
	ValueURI  string                `json:"valueUri,omitempty"`
	Extension []capabilityExtension `json:"extension,omitempty"`
}

type CapabilityResource struct {
	Type              string                  `json:"type"`
	Documentation     string                  `json:"documentation,omitempty"`
	Interaction       []CapabilityInteraction `json:"interaction"`
	Versioning        string                  `json:"versioning"`
	ReadHistory       bool                    `json:"readHistory"`
	UpdateCreate      bool                    `json:"updateCreate"`
	ConditionalCreate bool                    `json:"conditionalCreate"`
	SearchInclude     []string                `json:"searchInclude,omitempty"`
	SearchRevInclude  []string                `json:"searchRevInclude,omitempty"`
	SearchParam       []CapabilitySearchParam `json:"searchParam,omitempty"`
}

type CapabilityInteraction struct {
	Code string `json:"code"` // read, search-type, create
}

type CapabilitySearchParam struct {
	Name          string `json:"name"`
	Type          string `json:"type"`
	Documentation string `json:"documentation,omitempty"`
}

// capabilityStatement is written from the kinds; tokenURL, when the SMART
// token endpoint is served, is its absolute URL (the oauth-uris extension).
func (h *handler) capabilityStatement(tokenURL string) CapabilityStatement {
	cs := CapabilityStatement{ResourceType: "CapabilityStatement", Status: "active", Kind: "instance",
		Date:        h.opts.Now().In(h.opts.Location).Format("2006-01-02T15:04:05-07:00"),
		Publisher:   "Repère",
		Software:    &CapabilitySoftware{Name: "Repère", Version: h.opts.Version},
		FhirVersion: "4.0.1", Format: []string{"application/fhir+json", "json"},
		Implementation: &CapabilityImpl{Description: "Repère: CT-guided interventional radiology"},
	}
	if strings.HasPrefix(h.opts.BaseURL, "http") {
		cs.Implementation.URL = h.opts.BaseURL
	}
	rest := CapabilityRest{Mode: "server",
		Documentation: "JSON only. Searches are strict: an unknown parameter is a 400 unless the request says " +
			"Prefer: handling=lenient (then it is ignored and reported in an OperationOutcome entry). " +
			"Results are paged with _count (default 20, at most 100) and _offset; a comma-separated value finds any of its values; " +
			"_summary=count gives the total only; _elements keeps the top-level elements named (the resource is tagged SUBSETTED); " +
			"_sort takes the keys each resource lists (a leading - for descending). " +
			"A received resource holding an element this server does not keep is refused (400, the element named), so nothing sent is silently lost; " +
			"meta, text, language and extensions are accepted without being kept. Identifiers follow FR Core: INS " + SystemINS +
			", IdNatPs " + SystemIdNatPs + " (8 + RPPS) and RPPS " + SystemRPPS + ". " +
			"A transaction Bundle (POST /fhir) creates a Patient and ServiceRequests for them, whole or not at all.",
		Interaction: []CapabilityInteraction{{"transaction"}},
		Security: &CapabilitySecurity{
			Service: []CodeableConcept{{Coding: []Coding{{System: "http://terminology.hl7.org/CodeSystem/restful-security-service",
				Code: "SMART-on-FHIR", Display: "SMART-on-FHIR"}}}},
			Description: "Bearer token per client system with SMART system scopes (system/<Type>.read, system/<Type>.write, system/*.read): " +
				"a token issued by the practice's administrator, or, with SMART Backend Services, an access token from the token endpoint " +
				"(client credentials with a JWT signed RS384 or ES384 by a key the administrator registered; see .well-known/smart-configuration). " +
				"401 without a valid token, 403 without the scope. Every access to patient data is audited.",
		},
	}
	if tokenURL != "" {
		rest.Security.Extension = []capabilityExtension{{URL: "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
			Extension: []capabilityExtension{{URL: "token", ValueURI: tokenURL}}}}
	}
	names := make([]string, 0, len(h.kinds))
	for name := range h.kinds {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		k := h.kinds[name]
		res := CapabilityResource{Type: k.name, Documentation: k.doc, Versioning: "no-version"}
		if k.versioned {
			res.Versioning = "versioned"
		}
		if k.read != nil {
			res.Interaction = append(res.Interaction, CapabilityInteraction{"read"})
		}
		if k.history != nil {
			res.ReadHistory = true
			res.Interaction = append(res.Interaction, CapabilityInteraction{"vread"}, CapabilityInteraction{"history-instance"})
		}
		if k.search != nil {
			res.Interaction = append(res.Interaction, CapabilityInteraction{"search-type"})
		}
		if k.create != nil {
			res.ConditionalCreate = true
			res.Interaction = append(res.Interaction, CapabilityInteraction{"create"})
		}
		res.SearchInclude = sortedKeys(k.includes)
		res.SearchRevInclude = sortedKeys(k.revincludes)
		for _, sp := range k.params {
			res.SearchParam = append(res.SearchParam, CapabilitySearchParam{Name: sp.name, Type: sp.typ, Documentation: sp.doc})
		}
		if sorts := sortedKeys(k.sorts); len(sorts) > 0 {
			res.Documentation += "; _sort: " + strings.Join(sorts, ", ")
		}
		rest.Resource = append(rest.Resource, res)
	}
	cs.Rest = []CapabilityRest{rest}
	return cs
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
