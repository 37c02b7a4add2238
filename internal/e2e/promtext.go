package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// PromSamples are the samples of one Prometheus text exposition, such as a
// scrape of the collector's own telemetry (service.telemetry.metrics with a
// pull reader).
type PromSamples []PromSample

type PromSample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// ScrapeProm fetches and parses url.
func ScrapeProm(url string) (PromSamples, error) {
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	return ParsePromText(string(body))
}

// ParsePromText reads the Prometheus text exposition format: one sample
// per line, `name{label="value",...} value [timestamp]`; comments and blank
// lines are skipped.
func ParsePromText(text string) (PromSamples, error) {
	var out PromSamples
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		s, err := parsePromLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, s)
	}
	return out, sc.Err()
}

func parsePromLine(line string) (PromSample, error) {
	s := PromSample{Labels: map[string]string{}}
	i := strings.IndexAny(line, "{ ")
	if i <= 0 {
		return s, fmt.Errorf("no value in %q", line)
	}
	s.Name = line[:i]
	rest := line[i:]
	if rest[0] == '{' {
		var err error
		if rest, err = parsePromLabels(rest[1:], s.Labels); err != nil {
			return s, fmt.Errorf("%w in %q", err, line)
		}
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 || len(fields) > 2 {
		return s, fmt.Errorf("want a value and an optional timestamp in %q", line)
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return s, fmt.Errorf("value in %q: %w", line, err)
	}
	s.Value = v
	return s, nil
}

// parsePromLabels reads `a="x",b="y"}` into labels and returns what follows
// the closing brace. Values may contain escaped quotes, backslashes and \n.
func parsePromLabels(s string, labels map[string]string) (string, error) {
	for {
		s = strings.TrimLeft(s, " ,")
		if strings.HasPrefix(s, "}") {
			return s[1:], nil
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 || eq+1 >= len(s) || s[eq+1] != '"' {
			return "", fmt.Errorf("malformed labels")
		}
		name := strings.TrimSpace(s[:eq])
		var val strings.Builder
		j := eq + 2
		for ; j < len(s) && s[j] != '"'; j++ {
			if s[j] == '\\' && j+1 < len(s) {
				j++
				if s[j] == 'n' {
					val.WriteByte('\n')
					continue
				}
			}
			val.WriteByte(s[j])
		}
		if j >= len(s) {
			return "", fmt.Errorf("unterminated label value")
		}
		labels[name] = val.String()
		s = s[j+1:]
	}
}

// Sum adds the samples of metric name (with or without the _total suffix
// that counters get) whose labels include every pair of match.
func (m PromSamples) Sum(name string, match map[string]string) float64 {
	total := 0.0
	for _, s := range m {
		if s.Name != name && s.Name != name+"_total" {
			continue
		}
		if s.has(match) {
			total += s.Value
		}
	}
	return total
}

// SumPrefix adds every sample whose name starts with prefix.
func (m PromSamples) SumPrefix(prefix string) float64 {
	total := 0.0
	for _, s := range m {
		if strings.HasPrefix(s.Name, prefix) {
			total += s.Value
		}
	}
	return total
}

func (s PromSample) has(match map[string]string) bool {
	for k, v := range match {
		if s.Labels[k] != v {
			return false
		}
	}
	return true
}
