package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ProcStatusKiB reads a memory field such as VmRSS or VmHWM (in KiB) from
// /proc/<pid>/status.
func ProcStatusKiB(pid int, field string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return ParseStatusKiB(string(data), field)
}

// ParseStatusKiB finds `field:   1234 kB` in the text of /proc/<pid>/status.
func ParseStatusKiB(status, field string) (int64, error) {
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
