package rseq_test

import (
	"bytes"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/gorseq/rseq"
)

// The hostile environments users run in: each runs this test binary again
// as a child process in that environment, and checks what the child's
// Detect reports.

const childEnv = "RSEQ_TEST_CHILD"

// TestChildReport is the child's side: it prints the decision.
func TestChildReport(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("runs only as a child of the environment tests")
	}
	os.Stdout.WriteString("DETECT " + rseq.Detect().String() + "\n")
}

func runChild(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	return childReport(t, out)
}

func childReport(t *testing.T, out []byte) string {
	t.Helper()
	for line := range strings.Lines(string(out)) {
		if rest, ok := strings.CutPrefix(line, "DETECT "); ok {
			return strings.TrimSpace(rest)
		}
	}
	t.Fatalf("child printed no report:\n%s", out)
	return ""
}

func childCmd(env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildReport$", "-test.v")
	cmd.Env = append(os.Environ(), append(env, childEnv+"=1")...)
	return cmd
}

func needLinuxRSEQ(t *testing.T) {
	if (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") || purego || os.Getenv("GORSEQ") != "" {
		t.Skip("needs the RSEQ backend's platform without overrides")
	}
	if d := rseq.Detect(); d.Backend != rseq.RSEQ {
		t.Skipf("this machine gives the atomic backend: %s", d.Reason)
	}
}

func TestEnvGORSEQ(t *testing.T) {
	needLinuxRSEQ(t)
	for env, want := range map[string]string{
		"GORSEQ=atomic": `backend=atomic reason="forced by GORSEQ=atomic"`,
		"GORSEQ=cpu_id": "index=cpu_id",
		"GORSEQ=fast":   `reason="unknown GORSEQ value \"fast\"`,
	} {
		if got := runChild(t, childCmd(env)); !strings.Contains(got, want) {
			t.Errorf("%s: child reports %q, want it to contain %q", env, got, want)
		}
	}
}

// TestEnvGlibcTunable: with glibc's registration turned off, a cgo binary
// cannot use glibc's areas and must say so; a pure-Go binary registers its
// own and does not care.
func TestEnvGlibcTunable(t *testing.T) {
	needLinuxRSEQ(t)
	got := runChild(t, childCmd("GLIBC_TUNABLES=glibc.pthread.rseq=0"))
	if rseq.Detect().Registration == "libc" {
		if !strings.Contains(got, "backend=atomic") || !strings.Contains(got, "glibc.pthread.rseq=0") {
			t.Fatalf("cgo child with glibc's rseq off reports %q", got)
		}
	} else if !strings.Contains(got, "backend=rseq registration=go") {
		t.Fatalf("pure-Go child with glibc's rseq off reports %q", got)
	}
}

// TestEnvSeccomp: a child started under a seccomp filter that answers rseq
// with EPERM must select the fallback and name the cause.
func TestEnvSeccomp(t *testing.T) {
	needLinuxRSEQ(t)
	cmd := childCmd()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan error, 1)
	go func() {
		// The filter is per thread and inherited through fork: install it
		// on a thread of our own, start the child from that thread, and let
		// the thread die with the goroutine (it stays locked).
		runtime.LockOSThread()
		if err := denyRSEQ(); err != nil {
			done <- err
			return
		}
		done <- cmd.Start()
	}()
	if err := <-done; err != nil {
		t.Fatalf("starting the child under seccomp: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child under seccomp: %v\n%s", err, out.Bytes())
	}
	got := childReport(t, out.Bytes())
	if !strings.Contains(got, "backend=atomic") || !strings.Contains(got, "rseq refused by the kernel") {
		t.Fatalf("child under a seccomp filter denying rseq reports %q", got)
	}
}

// denyRSEQ installs, on the calling thread, a seccomp filter that makes the
// rseq system call fail with EPERM.
func denyRSEQ() error {
	const (
		ldW   = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeqK  = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		retK  = unix.BPF_RET | unix.BPF_K
		allow = 0x7fff0000 // SECCOMP_RET_ALLOW
		errno = 0x00050000 // SECCOMP_RET_ERRNO
	)
	arch := uint32(0xc000003e) // AUDIT_ARCH_X86_64
	if runtime.GOARCH == "arm64" {
		arch = 0xc00000b7 // AUDIT_ARCH_AARCH64
	}
	prog := []unix.SockFilter{
		{Code: ldW, K: 4}, // seccomp_data.arch
		{Code: jeqK, Jt: 1, Jf: 0, K: arch},
		{Code: retK, K: allow},
		{Code: ldW, K: 0}, // seccomp_data.nr
		{Code: jeqK, Jt: 0, Jf: 1, K: unix.SYS_RSEQ},
		{Code: retK, K: errno | uint32(unix.EPERM)},
		{Code: retK, K: allow},
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return err
	}
	if _, _, e := unix.Syscall(unix.SYS_SECCOMP, 1 /* SECCOMP_SET_MODE_FILTER */, 0, uintptr(unsafe.Pointer(&fprog))); e != 0 {
		return e
	}
	return nil
}
