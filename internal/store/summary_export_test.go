package store

// PauseRefreshBeforeDelete makes RefreshSummaries call pause just before it
// deletes the changes it has seen (to interleave a write in tests).
func (s *Store) PauseRefreshBeforeDelete(pause func()) { s.refreshPause = pause }
