/* Host-side stress test of virtlab's malloc (libc/src/malloc.c), compiled with its functions
 * renamed (vl_malloc, ...) over a static 8 MiB heap standing in for the backend's sbrk. Random
 * malloc/calloc/realloc/free with every block filled with a pattern that must survive; blocks
 * must be 8-byte aligned and never overlap; freeing everything must let one large block fit. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void *vl_malloc(size_t n);
void vl_free(void *p);
void *vl_calloc(size_t count, size_t size);
void *vl_realloc(void *p, size_t n);

static _Alignas(16) unsigned char heap[8u << 20];
static size_t brk_offset;

void *__vl_sbrk(intptr_t increment) {
  if (increment < 0 ? (size_t)-increment > brk_offset : (size_t)increment > sizeof heap - brk_offset) return (void *)-1;
  void *old = heap + brk_offset;
  brk_offset += (size_t)increment;
  return old;
}

#define SLOTS 512
static unsigned char *ptr[SLOTS];
static size_t len[SLOTS];
static unsigned char tag[SLOTS];

static uint32_t state = 0x1234567u;
static uint32_t rnd(void) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

static int check(int i) {
  for (size_t k = 0; k < len[i]; k++) {
    if (ptr[i][k] != (unsigned char)(tag[i] + k)) {
      printf("slot %d corrupted at byte %zu\n", i, k);
      return 1;
    }
  }
  return 0;
}

static void fill(int i) {
  for (size_t k = 0; k < len[i]; k++) ptr[i][k] = (unsigned char)(tag[i] + k);
}

int main(void) {
  for (int step = 0; step < 200000; step++) {
    int i = (int)(rnd() % SLOTS);
    uint32_t op = rnd() % 4;
    size_t n = rnd() % 4 == 0 ? rnd() % 20000 : rnd() % 200;
    if (ptr[i] && check(i)) return 1;
    if (op == 0 && ptr[i]) {
      vl_free(ptr[i]);
      ptr[i] = NULL;
    } else if (op == 1 && ptr[i]) {
      unsigned char *p = vl_realloc(ptr[i], n + 1);
      if (p == NULL) return printf("realloc failed\n"), 1;
      size_t keep = len[i] < n + 1 ? len[i] : n + 1;
      ptr[i] = p;
      len[i] = keep;
      if (check(i)) return printf("realloc lost data\n"), 1;
      len[i] = n + 1;
      fill(i);
    } else {
      if (ptr[i]) vl_free(ptr[i]);
      ptr[i] = op == 2 ? vl_calloc(n + 1, 1) : vl_malloc(n + 1);
      if (ptr[i] == NULL) return printf("allocation of %zu failed\n", n + 1), 1;
      if (op == 2) {
        for (size_t k = 0; k <= n; k++) {
          if (ptr[i][k] != 0) return printf("calloc memory not zero\n"), 1;
        }
      }
      len[i] = n + 1;
      tag[i] = (unsigned char)rnd();
      fill(i);
    }
    if (ptr[i] && ((uintptr_t)ptr[i] & 7) != 0) return printf("misaligned block\n"), 1;
  }
  for (int i = 0; i < SLOTS; i++) {
    if (ptr[i] && check(i)) return 1;
    for (int j = 0; j < SLOTS; j++) {
      if (i != j && ptr[i] && ptr[j] && ptr[i] < ptr[j] + len[j] && ptr[j] < ptr[i] + len[i]) {
        return printf("slots %d and %d overlap\n", i, j), 1;
      }
    }
  }
  size_t used = brk_offset;
  for (int i = 0; i < SLOTS; i++) vl_free(ptr[i]);
  /* After freeing everything, coalescing must give back one block as large as the heap used. */
  void *big = vl_malloc(used - 256);
  if (big == NULL || brk_offset != used) return printf("free blocks were not coalesced\n"), 1;
  printf("ok: heap %zu bytes\n", used);
  return 0;
}
