package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"time"
)

// stmtCacheSize bounds the statements kept compiled: the store's queries
// are a few hundred fixed strings; past the bound a new string simply runs
// unprepared.
const stmtCacheSize = 1024

// maxCachedParams: a statement with more placeholders is one built for a
// list's length (IN (?, ?, …), up to the worklist's 500 referrals), whose
// every length would be another statement kept on every connection. Those
// run unprepared.
const maxCachedParams = 32

// stmtCache keeps SQLite's compiled statements between calls. Without it
// every statement is parsed and planned again (sqlite3_prepare_v2), which
// was about an eighth of the CPU of a planning page. PostgreSQL needs none:
// pgx keeps a prepared-statement cache on each connection.
//
// A statement is prepared on the pool (database/sql then prepares it again,
// once, on each connection it runs on, and Tx.StmtContext reuses that
// connection's). Preparing on the pool takes a connection from it: a caller
// inside a unit of work already holds one, and if every connection were so
// held the preparation would wait forever. So a miss runs the statement
// unprepared this once and prepares it in the background, where waiting
// for a free connection blocks no one.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	// stmts holds nil for a statement being prepared, or whose preparation
	// failed (it then runs unprepared, and its error shows there).
	stmts  map[string]*sql.Stmt
	closed bool
	wg     sync.WaitGroup
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}}
}

// get returns the prepared statement of query, or nil when it is not (yet)
// prepared; a first miss starts its preparation.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, seen := c.stmts[query]
	if seen || c.closed || len(c.stmts) >= stmtCacheSize || strings.Count(query, "?") > maxCachedParams {
		return st
	}
	c.stmts[query] = nil
	c.wg.Add(1)
	go c.prepare(query)
	return nil
}

func (c *stmtCache) prepare(query string) {
	defer c.wg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return // stays nil: the statement runs unprepared, where its error shows
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		st.Close()
		return
	}
	c.stmts[query] = st
}

// close closes every prepared statement, once the preparations under way
// have ended; later calls get none.
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		if st != nil {
			st.Close()
		}
		delete(c.stmts, q)
	}
}

// len is the number of statements prepared (for tests).
func (c *stmtCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, st := range c.stmts {
		if st != nil {
			n++
		}
	}
	return n
}

// prepared returns query's prepared statement for q (a pool or a
// transaction on one), or nil to run query as text.
func (s *Store) prepared(ctx context.Context, q querier, query string) *sql.Stmt {
	if s.stmts == nil {
		return nil
	}
	switch q := q.(type) {
	case *sql.Tx:
		cache := s.stmts
		if u := s.unitOf(ctx); u != nil && u.tx == q && u.readOnly {
			cache = s.readStmts // a read unit's transaction is on the read pool
		}
		if st := cache.get(query); st != nil {
			return q.StmtContext(ctx, st)
		}
	case *sql.DB:
		if q == s.db {
			return s.stmts.get(query)
		}
	}
	return nil
}
