package cs

import (
	"bufio"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
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
	base, path, err := loaderMapping(auxv)
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

// loaderMapping returns where the dynamic loader is mapped and its file.
// The kernel names it in AT_BASE when it loaded it as a program's
// interpreter. AT_BASE is 0 when the loader was run as the program itself
// (ld.so PROGRAM, as the VM tests start cgo binaries); the loader is then
// the executable the kernel mapped, /proc/self/exe, at the mapping of its
// first page. A static binary ends up there too, and has no __rseq_offset.
func loaderMapping(auxv map[uint64]uint64) (uint64, string, error) {
	if base := auxv[atBase]; base != 0 {
		path, err := mappedFile(base)
		return base, path, err
	}
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0, "", fmt.Errorf("no dynamic loader is mapped (AT_BASE is 0) and %w", err)
	}
	base, err := fileBase(exe)
	return base, exe, err
}

// fileBase returns the address where the first page of the file at path
// is mapped.
func fileBase(path string) (uint64, error) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[5] != path || strings.Trim(fields[2], "0") != "" {
			continue
		}
		lo, _, _ := strings.Cut(fields[0], "-")
		if base, err := strconv.ParseUint(lo, 16, 64); err == nil {
			return base, nil
		}
	}
	return 0, fmt.Errorf("no dynamic loader is mapped (AT_BASE is 0), and %s is not mapped at offset 0", path)
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
