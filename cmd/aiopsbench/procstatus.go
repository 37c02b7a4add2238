package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// procStatusKiB reads a memory field such as VmRSS or VmHWM (in KiB) from
// /proc/<pid>/status.
func procStatusKiB(pid int, field string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseStatusKiB(string(data), field)
}

// parseStatusKiB finds `field:   1234 kB` in the text of /proc/<pid>/status.
func parseStatusKiB(status, field string) (int64, error) {
	for _, line := range strings.Split(status, "\n") {
		rest, ok := strings.CutPrefix(line, field+":")
		if !ok {
			continue
		}
		num, ok := strings.CutSuffix(strings.TrimSpace(rest), " kB")
		if !ok {
			return 0, fmt.Errorf("%s: want a value in kB, got %q", field, strings.TrimSpace(rest))
		}
		return strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	}
	return 0, fmt.Errorf("no %s in the process status", field)
}

// loadAverage returns the first three fields of /proc/loadavg: the 1, 5
// and 15 minute load averages, to record how busy the machine was.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
