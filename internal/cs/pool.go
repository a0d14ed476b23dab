package cs

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"unsafe"

	"github.com/gorseq/rseq/internal/argerr"
)

// Per-CPU memory. A Mem is one item replicated in every slot: slot s's copy
// is at Base() + s*Stride(). Small items are carved out of shared chunks,
// each an off-heap mapping of Slots() * chunkStride bytes, so thousands of
// small items pack densely inside a slot and copies in different slots are
// never closer than chunkStride (no false sharing between slots). Pages are
// touched only when used. Large items get a mapping of their own.
//
// The memory is off-heap: the garbage collector neither scans it nor frees
// it, so it must never hold Go pointers, and it returns to the pool through
// Free, or through a cleanup when the owner given to AllocFor becomes
// unreachable.

const (
	chunkStride = 64 << 10        // per-slot bytes of a shared chunk
	maxShared   = chunkStride / 4 // larger items get their own mapping
	// MaxAlloc bounds the per-slot size of one item (1 GiB).
	MaxAlloc = 1 << 30
)

// Mem is an item of per-CPU memory. The zero Mem is not usable.
type Mem struct {
	base   unsafe.Pointer
	stride uintptr
	size   uintptr
	align  uintptr
}

// Base returns slot 0's copy.
func (m Mem) Base() unsafe.Pointer { return m.base }

// Stride returns the distance between two slots' copies.
func (m Mem) Stride() uintptr { return m.stride }

// Size returns the size of each copy, as asked of Alloc.
func (m Mem) Size() uintptr { return m.size }

// Slot returns slot s's copy. It panics if s is out of range.
func (m Mem) Slot(s int) unsafe.Pointer {
	if uint(s) >= uint(nslots) {
		panic(fmt.Sprintf("cs: Mem.Slot slot %d out of range [0, %d)", s, nslots))
	}
	return unsafe.Add(m.base, uintptr(s)*m.stride)
}

type sizeAlign struct{ size, align uintptr }

var pool struct {
	sync.Mutex
	free  map[sizeAlign][]unsafe.Pointer // freed shared items, zeroed
	chunk unsafe.Pointer                 // current chunk
	used  uintptr                        // bytes used of the current chunk's slot 0
	stats PoolStats
}

// PoolStats describes the per-CPU memory in use.
type PoolStats struct {
	Chunks    int     // shared chunks mapped
	Dedicated int     // items with a mapping of their own
	Live      int     // items allocated and not freed
	LiveBytes uintptr // per-slot bytes of live items
}

// ReadPoolStats returns the pool's statistics.
func ReadPoolStats() PoolStats {
	pool.Lock()
	defer pool.Unlock()
	return pool.stats
}

// ErrAllocSize is wrapped by the error Alloc returns for a size out of
// range.
var ErrAllocSize = errors.New("cs: Alloc size out of range")

// Alloc returns a zeroed item of size bytes per slot, aligned to align (a
// power of two from 8 to 4096; 0 means 8). size must be in [1, MaxAlloc].
func Alloc(size, align uintptr) (Mem, error) {
	if align == 0 {
		align = 8
	}
	if align < 8 || align > 4096 || align&(align-1) != 0 {
		return Mem{}, fmt.Errorf("cs: Alloc align %d is not a power of two in [8, 4096]", align)
	}
	if size < 1 || size > MaxAlloc {
		if size > math.MaxInt { // not an int: argerr cannot name it
			return Mem{}, fmt.Errorf("cs: Alloc: size %d out of range [1, %d]: %w", size, MaxAlloc, ErrAllocSize)
		}
		return Mem{}, argerr.Range(ErrAllocSize, "cs: Alloc", "size", int(size), 1, MaxAlloc)
	}
	rounded := (size + align - 1) &^ (align - 1)
	pool.Lock()
	defer pool.Unlock()
	if rounded > maxShared {
		stride := (rounded + pageSize - 1) &^ (pageSize - 1)
		p, err := sysAlloc(stride * uintptr(nslots))
		if err != nil {
			return Mem{}, fmt.Errorf("cs: Alloc of %d bytes x %d slots: %w", stride, nslots, err)
		}
		pool.stats.Dedicated++
		pool.stats.Live++
		pool.stats.LiveBytes += rounded
		return Mem{base: p, stride: stride, size: size, align: align}, nil
	}
	key := sizeAlign{rounded, align}
	if l := pool.free[key]; len(l) > 0 {
		p := l[len(l)-1]
		pool.free[key] = l[:len(l)-1]
		pool.stats.Live++
		pool.stats.LiveBytes += rounded
		return Mem{base: p, stride: chunkStride, size: size, align: align}, nil
	}
	off := (pool.used + align - 1) &^ (align - 1)
	if pool.chunk == nil || off+rounded > chunkStride {
		p, err := sysAlloc(chunkStride * uintptr(nslots))
		if err != nil {
			return Mem{}, fmt.Errorf("cs: Alloc of a chunk of %d bytes x %d slots: %w", chunkStride, nslots, err)
		}
		pool.chunk, off = p, 0
		pool.stats.Chunks++
	}
	pool.used = off + rounded
	pool.stats.Live++
	pool.stats.LiveBytes += rounded
	return Mem{base: unsafe.Add(pool.chunk, off), stride: chunkStride, size: size, align: align}, nil
}

// AllocFor is Alloc with the item returned to the pool once owner becomes
// unreachable (runtime.AddCleanup). owner must not be reachable from the
// item, which holds no pointers anyway.
func AllocFor[T any](owner *T, size, align uintptr) (Mem, error) {
	m, err := Alloc(size, align)
	if err != nil {
		return m, err
	}
	runtime.AddCleanup(owner, func(m Mem) { m.Free() }, m)
	return m, nil
}

// Free returns m to the pool. m must not be used afterwards.
func (m Mem) Free() {
	if m.base == nil {
		return
	}
	pool.Lock()
	defer pool.Unlock()
	key := sizeAlign{(m.size + m.align - 1) &^ (m.align - 1), m.align}
	if key.size > maxShared {
		sysFree(m.base, m.stride*uintptr(nslots))
		pool.stats.Dedicated--
		pool.stats.Live--
		pool.stats.LiveBytes -= key.size
		return
	}
	for s := range nslots {
		clear(unsafe.Slice((*byte)(unsafe.Add(m.base, uintptr(s)*m.stride)), key.size))
	}
	if pool.free == nil {
		pool.free = make(map[sizeAlign][]unsafe.Pointer)
	}
	pool.free[key] = append(pool.free[key], m.base)
	pool.stats.Live--
	pool.stats.LiveBytes -= key.size
}
