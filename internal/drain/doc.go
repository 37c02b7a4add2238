// Package drain mines log templates from a stream of lines, in the family of
// Drain (He et al., ICWS 2017), with the changes that make its output usable
// as a grouping key in a pipeline. It has no collector or pdata dependency.
//
// # Tokens and masking
//
// A line is split on runs of whitespace (plus optional extra delimiter
// bytes); the whitespace between tokens is kept for rendering. Every token is
// classified in one pass by hand-written scanners, not by a chain of regular
// expressions (six RE2 masks cut Drain from ~0.7M to ~25k lines/s). Whole
// tokens, after stripping wrapping brackets/quotes and trailing punctuation,
// are recognised as numbers, hex, IPv4 endpoints (address, optional :port,
// optional host/ prefix), IPv6/MAC, UUIDs, times, dates, durations, sizes,
// paths, URLs, e-mail addresses, host names with a known top-level domain,
// booleans and nulls. Other tokens are scanned segment by segment: the value
// of key=value is classified as a whole (and dotted or slashed values are
// variables), numbers and identifiers carrying 3+ digits are variables, and
// the rest is literal, so "node-246" masks to "node-<*>" and "uid=0," to
// "uid=<*>,". User patterns (Config.Masks) are tried first on each token.
//
// A variable is replaced by a typed placeholder (NUM, IP, ...), never by the
// wildcard, so the masked form of a line is a fixed point: every line
// matches the template it created.
//
// # Clustering
//
// Templates are bucketed, like Drain's fixed-depth tree, by token count and
// the first two tokens (a variable leading token goes to the wildcard
// branch). A line joins the most similar template of its buckets when at
// least Config.SimThreshold of the positions are equal; differing positions
// generalise to <*>, keeping a common literal key or wrapper ("user=<*>",
// "[<*>]"). Two changes to Drain matter most for accuracy: a position where
// either side is an upper-case word (RUNNING, FAIL_TASK) never generalises,
// because such words name states and events; and a leading token that is an
// identifier (chrome.exe) may generalise when the rest of the line is equal.
//
// # Template IDs
//
// Every cluster gets its ID when it is created: 16 hex digits of the 64-bit
// FNV-1a hash of the partition name, a zero byte and the masked form of the
// first line (typed placeholders, tokens joined by one space). The ID never
// changes as the template generalises, and is saved in snapshots. If the
// hash collides with a live cluster, it is chained with a counter until
// free. Guarantees: (1) an ID never changes during its cluster's life, across
// restarts that restore a snapshot; (2) replicas with the same partition name
// and configuration assign the same ID to a template whose first line has
// the same masked form, whatever their history (modulo the collision rule,
// which depends on creation order, and LRU eviction, after which a returning
// template may be re-created from a different first line). Templates whose
// variables are all recognised by the classifier thus get the same ID on
// every replica.
//
// # Bounds and concurrency
//
// Lines are truncated to Config.MaxLineBytes and Config.MaxTokens for
// clustering (callers keep the full record). At Config.MaxClusters the least
// recently used cluster is evicted. A Miner is safe for concurrent use: a
// line that fits a template exactly is matched under a shared read lock
// (touching only atomics); creating or generalising takes the write lock
// and re-checks. Callers partition work across Miners to avoid contention.
//
// # Snapshots
//
// Snapshot and Restore use a versioned, hand-decoded binary format (see
// snapshot.go). Corrupt input returns an error and leaves the miner
// unchanged; a snapshot from another version or masking configuration
// returns ErrIncompatible.
package drain // import "github.com/otelcol-aiops/otelcol-aiops/internal/drain"
