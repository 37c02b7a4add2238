// Package microsim simulates a small traced microservice system (an online
// shop: frontend, cart, checkout, payment, shipping, a cache and a database)
// and injects faults into it on a schedule. It produces plain Go values
// (spans, log records, host metric points and ground-truth fault events) and
// has no collector or pdata dependency; the microsim receiver turns them
// into OTLP data.
//
// # Time
//
// The simulator has no clock of its own. Step advances simulated time by one
// tick and returns everything that happened in it, so the output depends
// only on the configuration and the seed, never on how fast the caller
// steps. A span or log record is released in the tick in which it ends, so
// no item carries a timestamp later than the end of the tick it came in.
//
// # Traffic
//
// Requests reach the entry service as a Poisson process whose rate follows a
// daily cycle (a cosine with its peak at Config.PeakHour, simulated UTC).
// Each request walks the call graph: an operation spends a log-normal self
// time around its calls, calls its dependencies sequentially with a given
// probability, and fails with its error rate or when a required dependency
// fails. Every hop is a client span in the caller and a server span in the
// callee, so each service has its own RED signals.
//
// # Faults
//
// A fault changes one service for a while: latency multiplies its self
// time, errors adds to its error rate, cpu adds to its CPU utilisation (and
// slows it a little), memory_leak grows its memory linearly, new_log_pattern
// makes it log a line never seen before, and dependency_down makes it
// unreachable (callers get fast connection errors). Each fault is reported
// at its start and end as a FaultEvent, the ground truth for evaluations.
//
// A Simulator is not safe for concurrent use.
package microsim // import "github.com/otelcol-aiops/otelcol-aiops/internal/microsim"
