package e2e // import "github.com/otelcol-aiops/otelcol-aiops/internal/e2e"

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

// BinaryEnv names the environment variable that points tests at a binary.
const BinaryEnv = "OTELCOL_AIOPS_BIN"

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// Binary returns the path of the collector binary the tests run: $OTELCOL_AIOPS_BIN
// when set, otherwise ./dist/otelcol-aiops, built with `make build` when it is
// missing. Builds from parallel test processes are serialised by a file lock.
func Binary(tb testing.TB) string {
	tb.Helper()
	binaryOnce.Do(func() { binaryPath, binaryErr = locateBinary() })
	if binaryErr != nil {
		tb.Fatalf("e2e: no collector binary: %v", binaryErr)
	}
	return binaryPath
}

func locateBinary() (string, error) {
	if p := os.Getenv(BinaryEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", BinaryEnv, p, err)
		}
		return filepath.Abs(p)
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, "dist", "otelcol-aiops")
	if err := buildOnce(root, p); err != nil {
		return "", err
	}
	return p, nil
}

// buildOnce runs `make build` under an exclusive lock so that concurrent test
// binaries do not run ocb twice; make itself skips an up-to-date binary.
func buildOnce(root, bin string) error {
	lock, err := os.OpenFile(filepath.Join(os.TempDir(), "otelcol-aiops-build.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer func() { _ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) }()
	if _, err := os.Stat(bin); err == nil {
		return nil
	}
	cmd := exec.Command("make", "-C", root, "build")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("make build: %w\n%s", err, out)
	}
	return nil
}

// RepoRoot finds the module root (the folder holding go.mod) above the
// working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "builder-config.yaml")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("builder-config.yaml not found above the working directory")
		}
		dir = parent
	}
}
