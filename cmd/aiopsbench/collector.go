package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// collectorRun is one run of the collector binary, with its stdout and
// stderr written to a log file. The e2e and capacity subcommands start the
// real binary through it.
type collectorRun struct {
	cmd     *exec.Cmd
	logPath string
	began   time.Time // just before the exec
	exited  chan struct{}
	err     error // the exit status, once exited is closed
}

// startCollector runs bin with args in dir; env adds variables to the
// inherited environment. A relative bin is taken from the working
// directory, not from dir.
func startCollector(bin string, args, env []string, dir, logPath string) (*collectorRun, error) {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	c := &collectorRun{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	c.began = time.Now()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		c.err = cmd.Wait()
		logFile.Close()
		close(c.exited)
	}()
	return c, nil
}

// done is closed when the process has ended.
func (c *collectorRun) done() <-chan struct{} { return c.exited }

// exitErr is the exit status; call it after done is closed.
func (c *collectorRun) exitErr() error { return c.err }

func (c *collectorRun) pid() int { return c.cmd.Process.Pid }

// stop sends SIGTERM and waits up to 30 s for the exit, then kills. It
// returns the exit status; calling it again (or after the process ended on
// its own) returns the same status.
func (c *collectorRun) stop() error {
	select {
	case <-c.exited:
		return c.err
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
		return c.err
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
		return errors.Join(errors.New("collector did not stop within 30s of SIGTERM; killed"), c.err)
	}
}

// kill sends SIGKILL, as a crash or the OOM killer would, and waits for the
// exit.
func (c *collectorRun) kill() {
	_ = c.cmd.Process.Kill()
	<-c.exited
}

// waitHTTP polls url every interval until it answers 200 and returns when
// it did. It fails when the process exits first, ctx ends or timeout passes.
func (c *collectorRun) waitHTTP(ctx context.Context, url string, interval, timeout time.Duration) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: time.Second}
	for {
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("%s not ready after %s; collector log:\n%s", url, timeout, tail(c.logPath, 4000))
		}
		select {
		case <-c.exited:
			return time.Time{}, fmt.Errorf("collector exited (%v) before %s was ready; its log:\n%s", c.err, url, tail(c.logPath, 4000))
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-time.After(interval):
		}
	}
}
