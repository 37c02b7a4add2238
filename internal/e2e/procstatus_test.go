package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const procStatus = `Name:	otelcol-aiops
VmPeak:	 2629084 kB
VmHWM:	  412332 kB
VmRSS:	  398120 kB
Threads:	12
`

func TestParseStatusKiB(t *testing.T) {
	rss, err := ParseStatusKiB(procStatus, "VmRSS")
	require.NoError(t, err)
	assert.Equal(t, int64(398120), rss)
	hwm, err := ParseStatusKiB(procStatus, "VmHWM")
	require.NoError(t, err)
	assert.Equal(t, int64(412332), hwm)
	_, err = ParseStatusKiB(procStatus, "VmSwap")
	assert.Error(t, err)
	_, err = ParseStatusKiB(procStatus, "Threads")
	assert.Error(t, err, "a field not in kB is not a memory size")
}
