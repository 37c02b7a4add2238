package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// selfMetrics is one scrape of the collector's own Prometheus endpoint
// (service.telemetry.metrics with a pull reader).
type selfMetrics []promSample

type promSample struct {
	name   string
	labels map[string]string
	value  float64
}

// scrapeSelfMetrics fetches and parses url.
func scrapeSelfMetrics(url string) (selfMetrics, error) {
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
	return parseSelfMetrics(string(body))
}

// parseSelfMetrics reads the Prometheus text exposition format: one sample
// per line, `name{label="value",...} value [timestamp]`; comments and blank
// lines are skipped.
func parseSelfMetrics(text string) (selfMetrics, error) {
	var out selfMetrics
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		s, err := parsePromSample(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, s)
	}
	return out, sc.Err()
}

func parsePromSample(line string) (promSample, error) {
	s := promSample{labels: map[string]string{}}
	i := strings.IndexAny(line, "{ ")
	if i <= 0 {
		return s, fmt.Errorf("no value in %q", line)
	}
	s.name = line[:i]
	rest := line[i:]
	if rest[0] == '{' {
		var err error
		if rest, err = parsePromLabels(rest[1:], s.labels); err != nil {
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
	s.value = v
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

// sum adds the samples of metric name (with or without the _total suffix
// that counters get) whose labels include every pair of match.
func (m selfMetrics) sum(name string, match map[string]string) float64 {
	total := 0.0
	for _, s := range m {
		if s.name != name && s.name != name+"_total" {
			continue
		}
		if s.has(match) {
			total += s.value
		}
	}
	return total
}

// sumPrefix adds every sample whose name starts with prefix.
func (m selfMetrics) sumPrefix(prefix string) float64 {
	total := 0.0
	for _, s := range m {
		if strings.HasPrefix(s.name, prefix) {
			total += s.value
		}
	}
	return total
}

func (s promSample) has(match map[string]string) bool {
	for k, v := range match {
		if s.labels[k] != v {
			return false
		}
	}
	return true
}
