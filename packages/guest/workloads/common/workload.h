/* The runtime interface of the compute suite. A workload is one C file that includes this
 * header, defines `static int workload(enum size size)`, and prints through stdio; it compiles
 * unchanged against virtlab's libc (rv32-bare, rv32-process, wasm32-wasi) and the host's libc
 * (host-c: `cc -O2 <file>.c`).
 *
 * Size selection: images built with -DWL_SIZE_TEST or -DWL_SIZE_BENCH have the size compiled
 * in (rv32-bare and wasm32-wasi); otherwise the program takes it as its one argument,
 * `test` or `bench` (rv32-process and host-c). */
#ifndef VL_WORKLOAD_H
#define VL_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum size { SIZE_TEST, SIZE_BENCH };

static int workload(enum size size);

/* Picks the test or bench value of a parameter. */
#define BY_SIZE(size, test, bench) ((size) == SIZE_BENCH ? (bench) : (test))

/* A small deterministic generator (xorshift32, Marsaglia 2003) so every target sees the same
 * data without a libc rand(). */
static inline uint32_t xorshift32(uint32_t *state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

int main(int argc, char **argv) {
#if defined(WL_SIZE_TEST)
  (void)argc;
  (void)argv;
  return workload(SIZE_TEST);
#elif defined(WL_SIZE_BENCH)
  (void)argc;
  (void)argv;
  return workload(SIZE_BENCH);
#else
  if (argc == 2 && strcmp(argv[1], "test") == 0) return workload(SIZE_TEST);
  if (argc == 2 && strcmp(argv[1], "bench") == 0) return workload(SIZE_BENCH);
  printf("usage: %s test|bench\n", argc > 0 ? argv[0] : "workload");
  return 2;
#endif
}

#endif
