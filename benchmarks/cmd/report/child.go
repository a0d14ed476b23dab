package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/gorseq/rseq"
)

// The fallback child: this binary with GORSEQ=atomic and the hidden
// -serve-child flag. It first writes a hello line with its detection
// report, then answers each request line with one sample line, all JSON.
// The parent waits for each answer, so the two processes never measure at
// the same time, and the child's runs take their turn in the parent's
// rounds.

type hello struct {
	Detect detectJSON `json:"detect"`
}

func serveChild(in io.Reader, out io.Writer) error {
	enc := json.NewEncoder(out)
	if err := enc.Encode(hello{Detect: detectOf(rseq.Detect())}); err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		var q request
		s := sample{}
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			s.Err = "bad request: " + err.Error()
		} else {
			s = q.run()
		}
		if err := enc.Encode(s); err != nil {
			return err
		}
	}
	return sc.Err()
}

// child is the parent's handle on a fallback child.
type child struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *json.Decoder
	stderr strings.Builder
	detect detectJSON
}

// startChild starts the fallback child and checks that it runs the Atomic
// backend.
func startChild() (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding this program to re-run it: %v", err)
	}
	c := &child{cmd: exec.Command(exe, "-"+childFlag)}
	c.cmd.Env = append(os.Environ(), "GORSEQ=atomic")
	c.cmd.Stderr = &c.stderr
	if c.in, err = c.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s with GORSEQ=atomic: %v", exe, err)
	}
	c.out = json.NewDecoder(stdout)
	var h hello
	if err := c.out.Decode(&h); err != nil {
		c.close()
		return nil, fmt.Errorf("the GORSEQ=atomic child did not start: %v %s", err, strings.TrimSpace(c.stderr.String()))
	}
	c.detect = h.Detect
	if h.Detect.Backend != rseq.Atomic.String() {
		c.close()
		return nil, fmt.Errorf("the GORSEQ=atomic child runs the %s backend (%s)", h.Detect.Backend, h.Detect.String)
	}
	return c, nil
}

// measure asks the child for one sample.
func (c *child) measure(q request) sample {
	b, err := json.Marshal(q)
	if err == nil {
		_, err = c.in.Write(append(b, '\n'))
	}
	var s sample
	if err == nil {
		err = c.out.Decode(&s)
	}
	if err != nil {
		return sample{Err: fmt.Sprintf("GORSEQ=atomic child: %v %s", err, strings.TrimSpace(c.stderr.String()))}
	}
	return s
}

func (c *child) close() error {
	c.in.Close()
	err := c.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Errorf("GORSEQ=atomic child: %v %s", err, strings.TrimSpace(c.stderr.String()))
	}
	return err
}
