// Command alertsink receives Alertmanager webhook (payload version 4) posts
// and prints each alert's firing and resolution on one readable line, once
// (re-notifications of a group are not printed again). The
// demo points the alertwebhook exporter at it; -out keeps every request as
// a JSON line for later scoring.
package main // import "github.com/otelcol-aiops/otelcol-aiops/cmd/alertsink"

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/internal/notify"
)

// maxBody bounds one request; Alertmanager truncates groups long before.
const maxBody = 8 << 20

// message is the webhook payload, version 4, as the alertwebhook exporter
// sends it (and Alertmanager).
type (
	message = notify.WebhookMessage
	alert   = notify.WebhookAlert
)

// sink prints alerts to w and appends raw requests to out (if not nil).
type sink struct {
	mu  sync.Mutex // one request's lines stay together
	w   io.Writer
	out io.Writer
	// shown is the last printed status of each episode: a group's later
	// notifications repeat its alerts, which are printed only when their
	// status changes.
	shown map[string]string
}

// maxShown bounds shown; past it, the memory of printed episodes restarts.
const maxShown = 100000

// changed reports whether a's status differs from the one last printed for
// its episode (fingerprint, or labels, and start), and records it.
func (s *sink) changed(a alert) bool {
	key := a.Fingerprint
	if key == "" {
		b, _ := json.Marshal(a.Labels) // map keys are sorted
		key = string(b)
	}
	key += "@" + a.StartsAt.UTC().Format(time.RFC3339Nano)
	if s.shown[key] == a.Status {
		return false
	}
	if s.shown == nil || len(s.shown) >= maxShown {
		s.shown = map[string]string{}
	}
	s.shown[key] = a.Status
	return true
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST an Alertmanager webhook payload", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "reading body: "+err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	var m message
	if err := json.Unmarshal(body, &m); err != nil {
		log.Printf("rejected request from %s: %v", r.RemoteAddr, err)
		http.Error(w, "invalid webhook payload: "+err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range m.Alerts {
		if s.changed(a) {
			fmt.Fprintln(s.w, format(a))
		}
	}
	if m.TruncatedAlerts > 0 {
		fmt.Fprintf(s.w, "(%d more alerts in group %s were truncated by the sender)\n", m.TruncatedAlerts, m.GroupKey)
	}
	if s.out != nil {
		var line bytes.Buffer
		if err := json.Compact(&line, body); err == nil {
			line.WriteByte('\n')
			if _, err := s.out.Write(line.Bytes()); err != nil {
				log.Printf("writing -out: %v", err)
			}
		}
	}
}

// format renders one alert: the time of the change, the state, the name,
// severity, the other labels and the summary.
func format(a alert) string {
	status, at := "FIRING  ", a.StartsAt
	if a.Status == "resolved" {
		status, at = "RESOLVED", a.EndsAt
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", at.UTC().Format(time.RFC3339), status, orDash(a.Labels["alertname"]))
	if sev := a.Labels["severity"]; sev != "" {
		fmt.Fprintf(&b, " [%s]", sev)
	}
	keys := make([]string, 0, len(a.Labels))
	for k := range a.Labels {
		if k != "alertname" && k != "severity" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, a.Labels[k])
	}
	summary := a.Annotations["summary"]
	if summary == "" {
		summary = a.Annotations["description"]
	}
	if summary != "" {
		fmt.Fprintf(&b, " | %s", summary)
	}
	if a.Status == "resolved" && !a.StartsAt.IsZero() && a.EndsAt.After(a.StartsAt) {
		fmt.Fprintf(&b, " (lasted %s)", a.EndsAt.Sub(a.StartsAt).Round(time.Second))
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func main() {
	listen := flag.String("listen", "127.0.0.1:9099", "address to listen on")
	outPath := flag.String("out", "", "append each received payload as one JSON line to this file")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("alertsink: ")

	s := &sink{w: os.Stdout}
	if *outPath != "" {
		f, err := os.OpenFile(*outPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		s.out = f
	}
	srv := &http.Server{Addr: *listen, Handler: s, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	log.Printf("listening on http://%s/", *listen)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
