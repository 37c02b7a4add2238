package microsim // import "github.com/otelcol-aiops/otelcol-aiops/internal/microsim"

import "time"

// TraceID and SpanID are W3C trace-context identifiers.
type (
	TraceID [16]byte
	SpanID  [8]byte
)

// SpanKind mirrors the OpenTelemetry span kinds the simulator uses.
type SpanKind int

const (
	SpanKindServer SpanKind = iota + 1
	SpanKindClient
)

// Attr is one attribute; Value is a string, int64, float64 or bool. A slice
// keeps the order stable, which keeps output deterministic.
type Attr struct {
	Key   string
	Value any
}

// Span is one finished span.
type Span struct {
	TraceID  TraceID
	SpanID   SpanID
	ParentID SpanID // zero for a root span
	Service  string
	Name     string
	Kind     SpanKind
	Start    time.Time
	End      time.Time
	Error    bool
	// StatusMessage describes the error when Error is set.
	StatusMessage string
	Attrs         []Attr
}

// Severity is a log severity (OpenTelemetry severity numbers).
type Severity int

const (
	SeverityInfo  Severity = 9
	SeverityWarn  Severity = 13
	SeverityError Severity = 17
)

// String returns the severity text.
func (s Severity) String() string {
	switch s {
	case SeverityWarn:
		return "WARN"
	case SeverityError:
		return "ERROR"
	default:
		return "INFO"
	}
}

// LogRecord is one service log line, tied to the span that wrote it.
type LogRecord struct {
	Time     time.Time
	Service  string
	Severity Severity
	Body     string
	TraceID  TraceID
	SpanID   SpanID
}

// Point is one host metric sample of a service.
type Point struct {
	Time    time.Time
	Service string
	// Metric is MetricCPUUtilization or MetricMemoryUsage.
	Metric string
	Value  float64
}

// Host metric names (OpenTelemetry semantic conventions, process namespace).
const (
	MetricCPUUtilization = "process.cpu.utilization" // ratio 0..1, gauge
	MetricMemoryUsage    = "process.memory.usage"    // bytes, non-monotonic sum
)

// FaultEvent reports that a fault started or ended: the ground truth. Start
// and End are the fault's absolute (simulated) bounds in both events.
type FaultEvent struct {
	// Event is "start" or "end".
	Event     string    `json:"event"`
	Time      time.Time `json:"time"`
	ID        string    `json:"id"`
	Type      FaultType `json:"type"`
	Service   string    `json:"service"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Magnitude float64   `json:"magnitude"`
}

// Batch is everything one or more ticks produced.
type Batch struct {
	Spans       []Span
	Logs        []LogRecord
	Points      []Point
	FaultEvents []FaultEvent
}

// Append adds o's items to b.
func (b *Batch) Append(o Batch) {
	b.Spans = append(b.Spans, o.Spans...)
	b.Logs = append(b.Logs, o.Logs...)
	b.Points = append(b.Points, o.Points...)
	b.FaultEvents = append(b.FaultEvents, o.FaultEvents...)
}

// Empty reports whether b holds nothing.
func (b *Batch) Empty() bool {
	return len(b.Spans) == 0 && len(b.Logs) == 0 && len(b.Points) == 0 && len(b.FaultEvents) == 0
}
