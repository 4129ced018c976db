// pool.hpp — per-thread free lists for the runtime's small objects.
//
// Futures, tasks, done-callbacks and handles are made and freed at a high
// rate (one or more per await), many alive at once, which is malloc's slow
// case. Fresh blocks are carved from slabs of one address range reserved
// for the process (the arena, pool.cpp); freed blocks go to a free list of
// their size class on the freeing thread and are handed out again by the
// next allocation of that class on that thread. The arena's blocks are
// kept for reuse (a thread's go to a depot for the other threads when it
// exits), so it holds the process's peak of small objects, at most 256 MiB
// of address space; blocks from malloc (the arena full) are cached up to
// kPoolMaxCached bytes per thread, beyond that and for sizes above
// kPoolMaxSize they go back to malloc. Under AddressSanitizer or valgrind
// there is no pool, nor on Windows (pool.cpp: thread exits): every block
// comes from malloc and goes back (the environment variable ASYNCORE_POOL=1
// keeps it under valgrind, =0 turns it off anywhere; ASYNCORE_ARENA=0 keeps
// the pool but carves no slabs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>

namespace ac {

constexpr size_t kPoolMaxSize = 1024;
constexpr size_t kPoolMaxCached = size_t{64} << 20;

// Throws std::bad_alloc.
void *pool_alloc(size_t size);
// Null when out of memory.
void *pool_alloc_nothrow(size_t size) noexcept;
// `size` is the size given to pool_alloc.
void pool_free(void *p, size_t size) noexcept;
// False under AddressSanitizer or valgrind (or ASYNCORE_POOL=0).
bool pool_enabled() noexcept;
// Faults in, with one call, the whole pages of [p, p + size) that the
// caller is about to write all of (a large array it fills): the first
// touch of each 4 KiB page then takes no trap. Does nothing where the
// system cannot (before Linux 5.14, other systems) or for less than 64 KiB.
void prefault(void *p, size_t size) noexcept;
// Gives back what the pool keeps for reuse: this thread's cached malloc
// blocks go back to malloc, and the arena's slabs all of whose blocks are
// free on this thread's lists or in the depot go back to the system (their
// address ranges are carved again before new ones). Returns the bytes
// given back, or -1 when there is no pool (every block is malloc's).
int64_t pool_trim() noexcept;

// Room in `v` for one more element, so the push_back that follows cannot
// throw. Grows geometrically: reserve(size() + 1) would reallocate, and
// copy every element, at each call.
template <class Vector>
void reserve_one_more(Vector &v) {
  if (v.size() == v.capacity()) v.reserve(v.capacity() < 8 ? 8 : 2 * v.capacity());
}

}  // namespace ac

// Class-specific allocation through the pool. Deletion through a base with a
// virtual destructor passes the dynamic type's size, as the pool needs.
#define AC_POOLED                                                             \
  static void *operator new(std::size_t n) { return ::ac::pool_alloc(n); }    \
  static void *operator new(std::size_t n, const std::nothrow_t &) noexcept { \
    return ::ac::pool_alloc_nothrow(n);                                       \
  }                                                                           \
  static void *operator new(std::size_t, void *where) noexcept { return where; } \
  static void operator delete(void *p, std::size_t n) noexcept { ::ac::pool_free(p, n); }
