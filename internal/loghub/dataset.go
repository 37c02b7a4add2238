package loghub // import "github.com/otelcol-aiops/otelcol-aiops/internal/loghub"

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Format is one entry of formats.json. Only log_format is used for
// evaluation; the per-dataset benchmark settings are there for reference.
type Format struct {
	LogFormat string `json:"log_format"`
}

// Dataset is one Loghub-2k dataset: raw lines with their content split off
// and the ground-truth template of each line (corrected labels).
type Dataset struct {
	Name string
	// Content holds each line's <Content> in file order.
	Content []string
	// Truth holds each line's ground-truth template, aligned with Content.
	Truth []string
}

// ReadFormats parses DIR/formats.json.
func ReadFormats(dir string) (map[string]Format, error) {
	b, err := os.ReadFile(filepath.Join(dir, "formats.json"))
	if err != nil {
		return nil, err
	}
	var f map[string]Format
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("formats.json: %w", err)
	}
	return f, nil
}

// Names lists the datasets of DIR that have both a log and a structured file,
// sorted.
func Names(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n := e.Name()
		if fileExists(filepath.Join(dir, n, n+"_2k.log")) && fileExists(filepath.Join(dir, n, n+"_2k.log_structured.csv")) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// Load reads DIR/NAME/NAME_2k.log, splits every line's header with the
// log_format, and aligns the lines with the EventTemplate column of
// NAME_2k.log_structured.csv row by row (rows are in LineId order).
func Load(dir, name string, format Format) (*Dataset, error) {
	re, err := HeaderRegexp(format.LogFormat)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	lines, err := readLines(filepath.Join(dir, name, name+"_2k.log"))
	if err != nil {
		return nil, err
	}
	truth, err := readTruth(filepath.Join(dir, name, name+"_2k.log_structured.csv"))
	if err != nil {
		return nil, err
	}
	if len(truth) != len(lines) {
		return nil, fmt.Errorf("%s: %d log lines but %d labelled rows", name, len(lines), len(truth))
	}
	d := &Dataset{Name: name, Content: make([]string, len(lines)), Truth: truth}
	for i, l := range lines {
		c, ok := SplitContent(re, l)
		if !ok {
			return nil, fmt.Errorf("%s: line %d does not match log_format %q", name, i+1, format.LogFormat)
		}
		d.Content[i] = c
	}
	return d, nil
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for s.Scan() {
		lines = append(lines, strings.TrimRight(s.Text(), "\r"))
	}
	return lines, s.Err()
}

// readTruth returns the EventTemplate column in LineId order.
func readTruth(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", path, err)
	}
	tcol := indexOf(header, "EventTemplate")
	if tcol < 0 {
		return nil, fmt.Errorf("%s: no EventTemplate column", path)
	}
	var out []string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if tcol >= len(rec) {
			return nil, fmt.Errorf("%s: row %d has no EventTemplate", path, len(out)+1)
		}
		out = append(out, rec[tcol])
	}
	return out, nil
}

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if strings.TrimPrefix(x, "\ufeff") == s {
			return i
		}
	}
	return -1
}
