// Package faulteval scores alerts against injected faults: which alerts point
// at a fault that was really happening (precision), which faults raised at
// least one such alert (recall), and how long after a fault began its first
// alert fired (time to alert), overall and per fault type.
//
// The rules, applied by [Score]:
//
//   - An alert is one firing episode: the caller identifies it (for example
//     by fingerprint and start time), so a notification re-sent for the same
//     episode is not a second alert, while a series that resolves and fires
//     again later is.
//   - An alert matches a fault when it first fired inside the fault's window,
//     [start, end + Rules.Grace], and names the faulted service or a service
//     that calls it, directly or through other services (faults propagate to
//     every caller up to the entry point: a slow database makes checkout and
//     frontend slow too). An alert names the services found in its
//     Rules.ServiceLabels; an alert that names none matches nothing.
//   - Precision is matched alerts / all alerts; recall is faults with a
//     matching alert / faults; time to alert is the first matching alert's
//     firing time minus the fault's start.
//   - Per type: recall and time to alert over that type's faults; precision
//     over the alerts that fired inside a window of a fault of that type, the
//     matched ones counting as true (an alert raised while a fault of the type
//     was active but naming an unrelated service is that type's false
//     positive). Alerts outside every window count against overall precision
//     only, since no type can be blamed for them.
//   - Undefined values (precision with no alerts, recall with no faults, a
//     median with no detection) are NaN.
//
// Times are simulated time; [Clock] maps the wall-clock times at which a
// run's alerts fired onto the simulated clock of an accelerated simulation.
//
// The package is pure Go so that the rules are tested on hand-made cases.
package faulteval // import "github.com/otelcol-aiops/otelcol-aiops/internal/faulteval"
