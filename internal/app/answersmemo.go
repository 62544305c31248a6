package app

import (
	"sync"

	"repere/internal/screening"
)

// maxMemoAnswers bounds the answers kept: a few days of every room's
// worklist. Past it the memo starts again empty.
const maxMemoAnswers = 8192

// answersMemo keeps the decoded questionnaire answers the worklist
// evaluates: a console asks for hundreds at every query, and decoding
// their JSON each time was a quarter of a query's CPU. An entry serves
// only while the stored bytes are the same, so a new save is decoded
// again. The decoded answers are shared between queries: read, never
// changed.
type answersMemo struct {
	mu sync.Mutex
	m  map[int64]memoAnswers // by referral id
}

type memoAnswers struct {
	raw     string
	answers screening.Answers
}

func (m *answersMemo) decode(referralID int64, raw []byte) (screening.Answers, error) {
	m.mu.Lock()
	e, ok := m.m[referralID]
	m.mu.Unlock()
	if ok && e.raw == string(raw) {
		return e.answers, nil
	}
	answers, err := decodeAnswers(referralID, raw)
	if err != nil {
		return answers, err
	}
	m.mu.Lock()
	if m.m == nil || len(m.m) >= maxMemoAnswers {
		m.m = make(map[int64]memoAnswers)
	}
	m.m[referralID] = memoAnswers{raw: string(raw), answers: answers}
	m.mu.Unlock()
	return answers, nil
}
