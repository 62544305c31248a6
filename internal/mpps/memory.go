package mpps

import (
	"context"
	"sync"
)

// MemoryStore keeps steps in memory, for tests and demos.
type MemoryStore struct {
	mu    sync.Mutex
	steps map[string]PerformedStep
}

var _ StepStore = (*MemoryStore)(nil)

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{steps: make(map[string]PerformedStep)}
}

// CreateStep adds s, unless its UID exists.
func (m *MemoryStore) CreateStep(_ context.Context, s PerformedStep) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, exists := m.steps[s.SOPInstanceUID]; exists {
		return ErrDuplicateStep
	}
	m.steps[s.SOPInstanceUID] = s
	return nil
}

// UpdateStep applies apply to a copy of the step and keeps it if apply
// succeeds.
func (m *MemoryStore) UpdateStep(_ context.Context, uid string, apply func(cur *PerformedStep) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.steps[uid]
	if !ok {
		return ErrNoSuchStep
	}
	if err := apply(&cur); err != nil {
		return err
	}
	m.steps[uid] = cur
	return nil
}

// Step returns the step with this UID.
func (m *MemoryStore) Step(uid string) (PerformedStep, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.steps[uid]
	return s, ok
}
