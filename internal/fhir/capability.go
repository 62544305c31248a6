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
	Mode          string               `json:"mode"`
	Documentation string               `json:"documentation,omitempty"`
	Security      *CapabilitySecurity  `json:"security,omitempty"`
	Resource      []CapabilityResource `json:"resource"`
}

type CapabilitySecurity struct {
	Cors        bool              `json:"cors"`
	Service     []CodeableConcept `json:"service,omitempty"`
	Description string            `json:"description,omitempty"`
}

type CapabilityResource struct {
	Type              string                  `json:"type"`
	Documentation     string                  `json:"documentation,omitempty"`
	Interaction       []CapabilityInteraction `json:"interaction"`
	Versioning        string                  `json:"versioning"`
	ReadHistory       bool                    `json:"readHistory"`
	UpdateCreate      bool                    `json:"updateCreate"`
	ConditionalCreate bool                    `json:"conditionalCreate"`
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

func (h *handler) capabilityStatement() CapabilityStatement {
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
			"Results are paged with _count (default 20, at most 100) and _offset.",
		Security: &CapabilitySecurity{
			Service: []CodeableConcept{{Coding: []Coding{{System: "http://terminology.hl7.org/CodeSystem/restful-security-service",
				Code: "SMART-on-FHIR", Display: "SMART-on-FHIR"}}}},
			Description: "Bearer token per client system with SMART system scopes (system/<Type>.read, system/<Type>.write, system/*.read); " +
				"401 without a valid token, 403 without the scope. Every access to patient data is audited.",
		},
	}
	names := make([]string, 0, len(h.kinds))
	for name := range h.kinds {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		k := h.kinds[name]
		res := CapabilityResource{Type: k.name, Documentation: k.doc, Versioning: "no-version"}
		if k.read != nil {
			res.Interaction = append(res.Interaction, CapabilityInteraction{"read"})
		}
		if k.search != nil {
			res.Interaction = append(res.Interaction, CapabilityInteraction{"search-type"})
		}
		if k.create != nil {
			res.Interaction = append(res.Interaction, CapabilityInteraction{"create"})
		}
		for _, sp := range k.params {
			res.SearchParam = append(res.SearchParam, CapabilitySearchParam{Name: sp.name, Type: sp.typ, Documentation: sp.doc})
		}
		rest.Resource = append(rest.Resource, res)
	}
	cs.Rest = []CapabilityRest{rest}
	return cs
}
