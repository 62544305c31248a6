package main

import (
	"context"
	"fmt"
	"time"

	"repere/internal/dimse"
)

// goQuery sends the same console query with Repère's own DIMSE client, in
// this process: no process start per query, so the server's share of the
// latency shows (findscu's start and its verbose printing dominate at 2 cores).
func goQuery(addr, aet string, want int) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	c, err := dimse.Connect(ctx, addr, dimse.ClientOptions{CallingAE: aet, CalledAE: calledAE, AbstractSyntaxes: []string{dimse.WorklistFindSOPClass}})
	if err != nil {
		return 0, err
	}
	q := consoleQuery(aet)
	matches := 0
	if err := c.Find(ctx, dimse.WorklistFindSOPClass, q, func(*dimse.Dataset) error { matches++; return nil }); err != nil {
		c.Abort()
		return 0, err
	}
	if err := c.Release(ctx); err != nil {
		return 0, err
	}
	if matches != want {
		return 0, fmt.Errorf("%d matches, want %d", matches, want)
	}
	return time.Since(start), nil
}

// consoleQuery is the query a console sends for its own station's list, with
// the keys findscu asks for in this benchmark.
func consoleQuery(aet string) *dimse.Dataset {
	key := func(tag dimse.Tag, value string) *dimse.Element {
		return dimse.NewText(tag, dimse.LookupVR(tag), value, dimse.CharsetUTF8)
	}
	return dimse.NewDataset(
		key(dimse.TagAccessionNumber, ""), key(dimse.TagReferringPhysicianName, ""),
		key(dimse.TagPatientName, ""), key(dimse.TagPatientID, ""), key(dimse.TagPatientBirthDate, ""),
		key(dimse.TagPatientSex, ""), key(dimse.TagStudyInstanceUID, ""),
		key(dimse.TagRequestedProcedureDesc, ""), key(dimse.TagRequestedProcedureID, ""),
		dimse.NewSequence(dimse.TagScheduledProcedureStepSeq, dimse.NewDataset(
			key(dimse.TagModality, ""), key(dimse.TagScheduledStationAETitle, aet),
			key(dimse.TagSPSStartDate, ""), key(dimse.TagSPSStartTime, ""),
			key(dimse.TagScheduledPerformingPhysician, ""), key(dimse.TagSPSDescription, ""), key(dimse.TagSPSID, ""),
		)),
	)
}
