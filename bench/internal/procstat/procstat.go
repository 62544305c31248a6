// Package procstat reads the CPU time and memory of processes from Linux's
// /proc, for the benchmarks that run a server in another process
// (bench/worklist, bench/load). Written by hand: a few fields of
// /proc/<pid>/stat and /proc/<pid>/status, which no small library reads
// for processes other than the caller.
package procstat

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of /proc's CPU times (USER_HZ, 100 on Linux).
const userHZ = 100

// ProcessCPU is the user and system time process pid and its reaped
// children have used so far (wlmscpfs serves each association in a child
// process; PostgreSQL's postmaster reaps its backends); 0 when pid is gone.
func ProcessCPU(pid int) time.Duration {
	fields := statFields(pid)
	if len(fields) < 15 {
		return 0
	}
	var ticks int64
	for _, f := range fields[11:15] { // utime, stime, cutime, cstime
		n, _ := strconv.ParseInt(f, 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ
}

// CommandCPU is ProcessCPU summed over every process whose command name is
// name (e.g. "postgres": the server, its backends, and the backends gone,
// through the postmaster's reaped children).
func CommandCPU(name string) time.Duration {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var total time.Duration
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if comm, err := os.ReadFile("/proc/" + e.Name() + "/comm"); err == nil && strings.TrimSpace(string(comm)) == name {
			total += ProcessCPU(pid)
		}
	}
	return total
}

// PeakRSS is the largest resident memory process pid has had (VmHWM), in
// bytes; 0 when unknown.
func PeakRSS(pid int) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// MachineCPU reads the busy and total jiffies of every core.
func MachineCPU() (busy, total float64) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	for i, f := range strings.Fields(line)[1:] {
		v, _ := strconv.ParseFloat(f, 64)
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total
}

// statFields are the fields of /proc/<pid>/stat after the command name,
// which is in parentheses and may hold spaces.
func statFields(pid int) []string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 > len(s) {
		return nil
	}
	return strings.Fields(s[i+2:])
}
