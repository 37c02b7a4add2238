package nab // import "github.com/otelcol-aiops/otelcol-aiops/internal/nab"

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Series is one data file of the corpus with its labelled windows.
type Series struct {
	// Name is the file's path relative to the data directory, with forward
	// slashes, as the labels file names it ("realTweets/Twitter_volume_GOOG.csv").
	Name   string
	Times  []time.Time
	Values []float64
	// Windows are inclusive row-index ranges [start, end], in time order.
	Windows []Window
}

// Window is an inclusive range of row indices.
type Window struct{ Start, End int }

// Corpus is every series of a data directory.
type Corpus struct {
	Series []Series
}

// NumWindows counts the windows of all series, the basis of normalisation.
func (c *Corpus) NumWindows() int {
	n := 0
	for i := range c.Series {
		n += len(c.Series[i].Windows)
	}
	return n
}

// timeLayouts are the timestamp spellings NAB uses: data files without
// fractional seconds, the labels file with microseconds.
var timeLayouts = []string{"2006-01-02 15:04:05.999999", "2006-01-02T15:04:05.999999Z07:00", "2006-01-02 15:04"}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unparsable timestamp %q", s)
}

// LoadCorpus reads every <category>/<file>.csv under dataDir and the windows
// of labelsFile (NAB's combined_windows.json). Files the labels do not name
// have no windows; labels naming files absent from dataDir are ignored, so a
// subset of NAB scores against its own windows only.
func LoadCorpus(dataDir, labelsFile string) (*Corpus, error) {
	labels, err := loadLabels(labelsFile)
	if err != nil {
		return nil, err
	}
	var names []string
	err = filepath.WalkDir(dataDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".csv") {
			return nil
		}
		rel, err := filepath.Rel(dataDir, path)
		if err != nil {
			return err
		}
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no .csv files under %s", dataDir)
	}
	sort.Strings(names)
	c := &Corpus{}
	for _, name := range names {
		f, err := os.Open(filepath.Join(dataDir, filepath.FromSlash(name)))
		if err != nil {
			return nil, err
		}
		s, err := ReadSeries(name, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		if s.Windows, err = windowRows(s.Times, labels[name]); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		c.Series = append(c.Series, *s)
	}
	return c, nil
}

// ReadSeries parses one NAB data file (header timestamp,value).
func ReadSeries(name string, r io.Reader) (*Series, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	s := &Series{Name: name}
	header := true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if header {
			header = false
			if len(rec) > 0 && strings.TrimSpace(rec[0]) == "timestamp" {
				continue
			}
		}
		if len(rec) < 2 {
			return nil, fmt.Errorf("%s: row %d has %d fields, want 2", name, len(s.Values)+1, len(rec))
		}
		t, err := parseTime(rec[0])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		if err != nil {
			return nil, fmt.Errorf("%s: row %d: %w", name, len(s.Values)+1, err)
		}
		s.Times = append(s.Times, t)
		s.Values = append(s.Values, v)
	}
	return s, nil
}

func loadLabels(path string) (map[string][][2]time.Time, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string][][]string
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make(map[string][][2]time.Time, len(raw))
	for name, ws := range raw {
		for _, w := range ws {
			if len(w) != 2 {
				return nil, fmt.Errorf("%s: window of %s has %d timestamps, want 2", path, name, len(w))
			}
			a, err := parseTime(w[0])
			if err != nil {
				return nil, err
			}
			b, err := parseTime(w[1])
			if err != nil {
				return nil, err
			}
			out[filepath.ToSlash(name)] = append(out[filepath.ToSlash(name)], [2]time.Time{a, b})
		}
	}
	return out, nil
}

// windowRows maps window timestamps to row indices. NAB's timestamps match
// data rows exactly; for other corpora the window covers the rows whose
// timestamps fall inside it.
func windowRows(times []time.Time, ws [][2]time.Time) ([]Window, error) {
	var out []Window
	for _, w := range ws {
		s := sort.Search(len(times), func(i int) bool { return !times[i].Before(w[0]) })
		e := sort.Search(len(times), func(i int) bool { return times[i].After(w[1]) }) - 1
		if s >= len(times) || e < s {
			return nil, fmt.Errorf("window %v..%v covers no row", w[0], w[1])
		}
		out = append(out, Window{Start: s, End: e})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out, nil
}
