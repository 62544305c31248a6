package procstat

import (
	"os"
	"testing"
	"time"
)

// TestOwnProcess reads this test process: its CPU grows while it works,
// and its peak memory is at least what it holds.
func TestOwnProcess(t *testing.T) {
	pid := os.Getpid()
	before := ProcessCPU(pid)
	hold := make([]byte, 64<<20)
	for i := range hold {
		hold[i] = byte(i)
	}
	deadline := time.Now().Add(300 * time.Millisecond)
	n := 0
	for time.Now().Before(deadline) {
		n++
	}
	if after := ProcessCPU(pid); after <= before {
		t.Errorf("CPU %v then %v: did not grow over 300 ms of work", before, after)
	}
	if rss := PeakRSS(pid); rss < int64(len(hold)) {
		t.Errorf("peak RSS %d bytes, holding %d", rss, len(hold))
	}
	if busy, total := MachineCPU(); total <= 0 || busy <= 0 || busy > total {
		t.Errorf("machine busy %v of %v", busy, total)
	}
	// This process alone first: read after, its CPU would have grown past
	// the sum read before it (the test failed so once in CI).
	own := ProcessCPU(pid)
	if all := CommandCPU("procstat.test"); all < own {
		t.Errorf("processes named procstat.test: %v, this one alone %v before", all, own)
	}
	if ProcessCPU(-1) != 0 || PeakRSS(-1) != 0 {
		t.Error("a process that does not exist has CPU or memory")
	}
	_ = hold[n%len(hold)]
}
