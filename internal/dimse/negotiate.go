package dimse

import (
	"fmt"
	"slices"
)

// acceptedContext is a presentation context the association may use.
type acceptedContext struct {
	id             byte
	abstractSyntax string
	transferSyntax string
}

// rejection is the answer to a request we refuse (PS3.8 9.3.4).
type rejection struct {
	result, source, reason byte
	why                    string // for the log
}

func (r *rejection) pdu() []byte {
	return fourBytePDU(pduAssociateRJ, r.result, r.source, r.reason)
}

// transferSyntaxPreference lists what we accept, best first: Explicit VR
// keeps the peer's VRs, which helps with tags our dictionary lacks.
var transferSyntaxPreference = []string{ExplicitVRLittleEndian, ImplicitVRLittleEndian}

// negotiation is what the server decides from its configuration.
type negotiation struct {
	calledAE         string
	allowedCallingAE []string
	abstractSyntaxes []string
	overloaded       string // the limit this association is over, if any
}

// check returns why an association request must be rejected, or nil. The
// order follows the checks of PS3.8 9.1.2 and 9.3.4: version and context
// first, then who is calling whom.
func (n *negotiation) check(rq *associate) *rejection {
	switch {
	case rq.protocolVersion&0x0001 == 0:
		return &rejection{rejectPermanent, rejectSourceACSE, rejectProtocolVersion,
			fmt.Sprintf("protocol version 0x%04X", rq.protocolVersion)}
	case rq.appContext != applicationContext:
		return &rejection{rejectPermanent, rejectSourceUser, rejectAppContextNotSupported,
			"application context " + rq.appContext}
	case rq.calledAE != n.calledAE:
		return &rejection{rejectPermanent, rejectSourceUser, rejectCalledAENotRecognized,
			"called AE title is not ours"}
	case len(n.allowedCallingAE) > 0 && !slices.Contains(n.allowedCallingAE, rq.callingAE):
		return &rejection{rejectPermanent, rejectSourceUser, rejectCallingAENotRecognized,
			"calling AE title not allowed"}
	case rq.maxLength != 0 && rq.maxLength < minPeerPDULength:
		// PS3.8 sets no minimum, but below this not one byte of a PDV fits.
		return &rejection{rejectPermanent, rejectSourceUser, rejectNoReason,
			fmt.Sprintf("maximum length %d cannot carry a PDV", rq.maxLength)}
	case n.overloaded != "":
		return &rejection{rejectTransient, rejectSourceProvider, rejectLocalLimitExceeded,
			n.overloaded}
	}
	return nil
}

// answer returns the accept's presentation contexts and the usable ones.
// Contexts we cannot serve are answered with their reason, as PS3.8 9.3.3.2
// requires. When none is usable the caller rejects the association instead
// (see noContext), as dcmtk's own servers do.
func (n *negotiation) answer(rq *associate) ([]presentationContext, map[byte]*acceptedContext) {
	answers := make([]presentationContext, 0, len(rq.contexts))
	usable := make(map[byte]*acceptedContext)
	for _, pc := range rq.contexts {
		answer := presentationContext{id: pc.id, transferSyntaxes: []string{ImplicitVRLittleEndian}}
		ts := chooseTransferSyntax(pc.transferSyntaxes)
		_, duplicate := usable[pc.id]
		switch {
		case duplicate || pc.id%2 == 0:
			answer.result = contextUserRejection
		case !slices.Contains(n.abstractSyntaxes, pc.abstractSyntax):
			answer.result = contextAbstractSyntaxNotSupport
		case ts == "":
			answer.result = contextTransferSyntaxNotSupport
		default:
			answer.result = contextAccepted
			answer.transferSyntaxes = []string{ts}
			usable[pc.id] = &acceptedContext{id: pc.id, abstractSyntax: pc.abstractSyntax, transferSyntax: ts}
		}
		answers = append(answers, answer)
	}
	return answers, usable
}

// noContext is the rejection of a request none of whose presentation
// contexts we can serve: accepting it would leave the peer an association
// on which nothing can be asked (dcmtk's servers reject it the same way:
// permanent, by the service user, no reason given).
var noContext = &rejection{rejectPermanent, rejectSourceUser, rejectNoReason,
	"no presentation context accepted"}

func chooseTransferSyntax(proposed []string) string {
	for _, ts := range transferSyntaxPreference {
		if slices.Contains(proposed, ts) {
			return ts
		}
	}
	return ""
}
