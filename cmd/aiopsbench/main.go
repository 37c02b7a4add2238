// Command aiopsbench evaluates and benchmarks the otelcol-aiops components on
// public corpora. Each evaluation is a subcommand registered by its own file:
//
//	aiopsbench loghub -data DIR [-json]
//	aiopsbench nab -data DIR -labels FILE [-profiles FILE] [-json]
//	aiopsbench e2e [-duration 6h] [-speed 60] [-seed N] [-json] [-bin PATH]
//	aiopsbench capacity [-only ingest,memory,recovery] [-json] [-bin PATH]
package main

import (
	"fmt"
	"os"
	"sort"
)

// command is one subcommand: it parses its own flags from args.
type command struct {
	summary string
	run     func(args []string) error
}

var commands = map[string]command{}

// register adds a subcommand; called from init in the subcommand's file.
func register(name, summary string, run func(args []string) error) {
	commands[name] = command{summary: summary, run: run}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: aiopsbench <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", n, commands[n].summary)
	}
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "aiopsbench: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err := cmd.run(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "aiopsbench %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
