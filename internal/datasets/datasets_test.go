package datasets

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDirFindsCorpusAboveWorkingDirectory(t *testing.T) {
	root := t.TempDir()
	want := filepath.Join(root, "shared", "datasets", "nab")
	require.NoError(t, os.MkdirAll(want, 0o755))
	deep := filepath.Join(root, "repo", "internal", "x")
	require.NoError(t, os.MkdirAll(deep, 0o755))
	t.Chdir(deep)
	t.Setenv(EnvDir, "")
	assert.Equal(t, want, Dir(t, "nab"))
}

func TestDirHonoursEnv(t *testing.T) {
	t.Setenv(EnvDir, "/data")
	assert.Equal(t, "/data/loghub2k", Dir(t, "loghub2k"))
}
