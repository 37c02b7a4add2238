package e2e

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A request whose body is cut off (its sender was killed) is not a malformed
// request; a body that does not decode is.
func TestSinkTellsCutOffFromMalformed(t *testing.T) {
	s := NewSink(t)
	addr := strings.TrimPrefix(s.Endpoint(), "http://")

	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	_, err = fmt.Fprintf(conn, "POST /v1/logs HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-protobuf\r\nContent-Length: 100\r\n\r\n\x0a\x05", addr)
	require.NoError(t, err)
	require.NoError(t, conn.Close())

	resp, err := http.Post(s.Endpoint()+"/v1/logs", "application/x-protobuf", strings.NewReader("\xff\xff\xff"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	require.Eventually(t, func() bool { return len(s.Errors()) >= 1 }, 5*time.Second, 10*time.Millisecond)
	time.Sleep(100 * time.Millisecond) // the cut-off request has long been handled
	errs := s.Errors()
	assert.Len(t, errs, 1, "only the undecodable body: %v", errs)
	// The sink reports its errors when the test ends; this one was wanted.
	s.mu.Lock()
	s.errs = nil
	s.mu.Unlock()
}
