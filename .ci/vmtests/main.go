// Command vmtests is the program .ci/vm boots in a QEMU guest: it runs the
// test binaries the guest carries, one after another, so that one boot
// serves every package. Each runs in a fresh directory with the given test
// flags; its output goes to the console between a start line and a result
// line with its wall time, and vmtests exits 1 if any of them failed.
// First it brings up the guest's loopback interface (the kernel gives it
// 127.0.0.1 and ::1), for tests that serve on localhost; the guest has no
// other network.
//
//	vmtests BINARY... [-- TESTFLAG...]
//
// It uses the standard library only and is built on its own (go build
// .ci/vmtests/*.go): the .ci directory is no package of the module.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	args := os.Args[1:]
	var flags []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, flags = args[:i], args[i+1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: vmtests BINARY... [-- TESTFLAG...]")
		os.Exit(2)
	}
	if err := loopbackUp(); err != nil {
		fmt.Printf("vmtests: cannot bring up lo (tests that use localhost will fail): %v\n", err)
	}
	var failed []string
	start := time.Now()
	for _, bin := range args {
		name := strings.TrimSuffix(filepath.Base(bin), ".test")
		fmt.Printf("vmtests: === %s %s\n", name, strings.Join(flags, " "))
		t0 := time.Now()
		result := "ok"
		if err := run(bin, flags); err != nil {
			result = "FAIL (" + err.Error() + ")"
			failed = append(failed, name)
		}
		fmt.Printf("vmtests: --- %s %s %.1fs\n", result, name, time.Since(t0).Seconds())
	}
	if len(failed) > 0 {
		fmt.Printf("vmtests: %d of %d failed in %.1fs: %s\n", len(failed), len(args), time.Since(start).Seconds(), strings.Join(failed, " "))
		os.Exit(1)
	}
	fmt.Printf("vmtests: all %d passed in %.1fs\n", len(args), time.Since(start).Seconds())
}

// run runs one test binary in a directory of its own.
func run(bin string, flags []string) error {
	dir, err := os.MkdirTemp("", filepath.Base(bin)+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command(bin, flags...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}
