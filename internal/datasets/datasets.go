// Package datasets locates the shared evaluation corpora (Loghub-2k, NAB)
// for tests and benchmarks. They live in shared/datasets beside the
// repository and are read in place: the data is never copied into the
// repository.
package datasets // import "github.com/otelcol-aiops/otelcol-aiops/internal/datasets"

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvDir overrides where the corpora are: $AIOPS_DATASETS/<name>.
const EnvDir = "AIOPS_DATASETS"

// Dir returns the folder of the named corpus ("loghub2k", "nab"): under
// $AIOPS_DATASETS when set, else the first shared/datasets/<name> found
// walking up from the working directory. Without it the test is skipped,
// except in CI (CI set), where the corpora are always present and a missing
// one is a failure rather than a silently skipped regression check.
func Dir(tb testing.TB, name string) string {
	tb.Helper()
	if d := os.Getenv(EnvDir); d != "" {
		return filepath.Join(d, name)
	}
	if d, ok := find(name); ok {
		return d
	}
	if os.Getenv("CI") != "" {
		tb.Fatalf("shared/datasets/%s not found above the working directory (and %s unset)", name, EnvDir)
	}
	tb.Skipf("shared/datasets/%s not found; set %s to run", name, EnvDir)
	return ""
}

func find(name string) (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		d := filepath.Join(dir, "shared", "datasets", name)
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
