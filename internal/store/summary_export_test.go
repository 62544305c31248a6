package store

// PauseRefreshBeforeDelete makes RefreshSummaries call pause just before it
// deletes the changes it has seen (to interleave a write in tests).
func (s *Store) PauseRefreshBeforeDelete(pause func()) { s.refreshPause = pause }

// SetRefreshBatch sets how many months one refresh transaction rebuilds.
func (s *Store) SetRefreshBatch(months int) { s.refreshBatchSize = months }
