package store

// PreparedStatements waits for the preparations under way and returns how
// many statements each SQLite pool keeps compiled (0, 0 on PostgreSQL).
func (s *Store) PreparedStatements() (write, read int) {
	if s.stmts == nil {
		return 0, 0
	}
	s.stmts.wg.Wait()
	s.readStmts.wg.Wait()
	return s.stmts.len(), s.readStmts.len()
}

// KeepsCompiled asks the write pool's cache for query twice, the
// preparation the first call starts waited for between, and says whether
// the second call got a compiled statement.
func (s *Store) KeepsCompiled(query string) bool {
	s.stmts.get(query)
	s.stmts.wg.Wait()
	return s.stmts.get(query) != nil
}
