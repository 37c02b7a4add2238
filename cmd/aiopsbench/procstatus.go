package main

import (
	"os"
	"strings"
)

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
