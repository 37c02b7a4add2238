// Package alerting is the alert engine of the alertwebhook exporter, in plain
// Go with no collector or pdata types so that it can be tested, fuzzed and
// benchmarked on its own.
//
// It holds four pieces, each behind a small type:
//
//   - Labels and Fingerprint: an alert's identity. Fingerprint is the
//     Prometheus label-set fingerprint (FNV-1a 64 over the sorted name/value
//     pairs), so the IDs we compute equal the ones Alertmanager reports.
//   - Engine: the per-alert lifecycle inactive -> pending -> firing ->
//     resolved driven by observations (a rule's condition was true or false
//     for a series) and by ticks (for, keep_firing_for, resolve timeout,
//     retention of resolved alerts), with a bound on tracked alerts.
//   - Dispatcher: Alertmanager-style aggregation groups for chat and incident
//     targets (group_by, group_wait, group_interval, repeat_interval,
//     max_alerts) with Alertmanager's notification-log deduplication rules.
//     Resender is the Alertmanager-client counterpart: it re-posts firing
//     and recently resolved alerts on an interval.
//   - Outbox: a per-target token bucket that merges pending notifications
//     of the same group (and, for digest targets, of all groups) instead of
//     dropping them when the target's rate limit is reached.
//
// No type is safe for concurrent use; the caller holds one lock. Time is
// always passed in as an argument so tests drive it with a fake clock. Every
// stateful type has MarshalBinary/UnmarshalBinary producing a versioned
// snapshot, so that state survives a collector restart.
package alerting // import "github.com/otelcol-aiops/otelcol-aiops/internal/alerting"
