package cs

import (
	"bufio"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Auxiliary vector keys.
const (
	atBase            = 7
	atRseqFeatureSize = 27
)

// readAuxv returns the process's auxiliary vector.
func readAuxv() (map[uint64]uint64, error) {
	b, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		return nil, err
	}
	m := make(map[uint64]uint64)
	for len(b) >= 16 {
		k, v := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
		if k == 0 {
			break
		}
		m[k] = v
		b = b[16:]
	}
	return m, nil
}

// libcRseq finds glibc's __rseq_offset and __rseq_size without cgo: the
// dynamic loader is mapped at AT_BASE; its file (named in /proc/self/maps)
// has both as dynamic symbols, whose values are offsets from that base; the
// variables are read through /proc/self/mem.
func libcRseq(auxv map[uint64]uint64) (offset int64, size uint32, err error) {
	base := auxv[atBase]
	if base == 0 {
		return 0, 0, errors.New("no dynamic loader is mapped (AT_BASE is 0)")
	}
	path, err := mappedFile(base)
	if err != nil {
		return 0, 0, err
	}
	f, err := elf.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	syms, err := f.DynamicSymbols()
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	var offSym, sizeSym uint64
	for _, s := range syms {
		switch s.Name {
		case "__rseq_offset":
			offSym = s.Value
		case "__rseq_size":
			sizeSym = s.Value
		}
	}
	if offSym == 0 || sizeSym == 0 {
		return 0, 0, fmt.Errorf("%s has no __rseq_offset/__rseq_size (glibc before 2.35, or another libc)", path)
	}
	mem, err := os.Open("/proc/self/mem")
	if err != nil {
		return 0, 0, err
	}
	defer mem.Close()
	var buf [8]byte
	if _, err := mem.ReadAt(buf[:8], int64(base+offSym)); err != nil {
		return 0, 0, fmt.Errorf("reading __rseq_offset: %w", err)
	}
	offset = int64(binary.LittleEndian.Uint64(buf[:8]))
	if _, err := mem.ReadAt(buf[:4], int64(base+sizeSym)); err != nil {
		return 0, 0, fmt.Errorf("reading __rseq_size: %w", err)
	}
	size = binary.LittleEndian.Uint32(buf[:4])
	return offset, size, nil
}

// mappedFile returns the path of the file mapped at addr.
func mappedFile(addr uint64) (string, error) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return "", err
	}
	defer f.Close()
	prefix := fmt.Sprintf("%x-", addr)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) >= 6 && strings.HasPrefix(fields[5], "/") {
			return fields[5], nil
		}
	}
	return "", fmt.Errorf("no file is mapped at %#x", addr)
}
