/* wasm32-wasi backend: WASI preview 1 (wasi_snapshot_preview1) — fd_write, fd_read and
 * proc_exit are the only imports; the heap grows with memory.grow from __heap_base. */
#include <stddef.h>
#include <stdint.h>

#include "../src/backend.h"

struct ciovec {
  const void *buf;
  size_t len;
};

#define WASI_IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))

WASI_IMPORT("fd_write") int32_t __wasi_fd_write(int32_t fd, const struct ciovec *iovs, size_t count, size_t *written);
WASI_IMPORT("fd_read") int32_t __wasi_fd_read(int32_t fd, const struct ciovec *iovs, size_t count, size_t *read);
WASI_IMPORT("proc_exit") _Noreturn void __wasi_proc_exit(int32_t code);

long __vl_write(int fd, const void *buf, size_t n) {
  struct ciovec iov = {buf, n};
  size_t written = 0;
  int32_t err = __wasi_fd_write(fd, &iov, 1, &written);
  return err != 0 ? -(long)err : (long)written;
}

long __vl_read(int fd, void *buf, size_t n) {
  struct ciovec iov = {buf, n};
  size_t got = 0;
  int32_t err = __wasi_fd_read(fd, &iov, 1, &got);
  return err != 0 ? -(long)err : (long)got;
}

_Noreturn void __vl_exit(int status) { __wasi_proc_exit(status); }

extern unsigned char __heap_base[];
static uintptr_t heap_break;

#define WASM_PAGE 65536u

void *__vl_sbrk(intptr_t increment) {
  if (heap_break == 0) heap_break = (uintptr_t)__heap_base;
  uintptr_t old = heap_break;
  if (increment < 0) {
    if ((uintptr_t)-increment > old - (uintptr_t)__heap_base) return (void *)-1;
    heap_break = old + (uintptr_t)increment;
    return (void *)old;
  }
  uintptr_t limit = __builtin_wasm_memory_size(0) * WASM_PAGE;
  uintptr_t wanted = old + (uintptr_t)increment;
  if (wanted < old) return (void *)-1;
  if (wanted > limit) {
    size_t pages = (wanted - limit + WASM_PAGE - 1) / WASM_PAGE;
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return (void *)-1;
  }
  heap_break = wanted;
  return (void *)old;
}

int main(int argc, char **argv);

/* The WASI command entry: no arguments (sizes are compiled in, so args_get is not imported). */
void _start(void) { __vl_start(0, NULL); }
