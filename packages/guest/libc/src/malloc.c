/* malloc, free, calloc, realloc: a boundary-tag allocator (Knuth's, TAOCP 2.5) over the
 * backend's sbrk — brk(2) for processes, a static heap for bare metal, memory.grow for WASI.
 *
 * Every block carries its size in a header word and a footer word; bit 0 of both is set while
 * the block is in use. Free blocks sit on one doubly linked list (first fit, address-ordered
 * insertion is not needed) and are merged with free neighbours on free(), so fragmentation
 * stays bounded. Payloads are 8-byte aligned. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

typedef size_t word;
#define WORD sizeof(word)
#define ALIGN 8u
#define USED 1u
#define GROW_MIN ((size_t)64 * 1024) /* ask sbrk for at least this much at a time */

struct free_links {
  char *next;
  char *prev;
};

/* Smallest block: header, the two links of a free block, footer, rounded up to ALIGN. */
#define MIN_BLOCK ((2 * WORD + sizeof(struct free_links) + ALIGN - 1) / ALIGN * ALIGN)

static char *heap_lo;   /* first block */
static char *heap_hi;   /* the epilogue header: a zero-size used block that ends the heap */
static char *free_list; /* first free block, or NULL */

static word *header(char *block) { return (word *)(void *)block; }
static size_t block_size(char *block) { return *header(block) & ~(size_t)USED; }
static int block_used(char *block) { return (*header(block) & USED) != 0; }
static word *footer(char *block) { return (word *)(void *)(block + block_size(block) - WORD); }
static struct free_links *links(char *block) { return (struct free_links *)(void *)(block + WORD); }
static char *payload(char *block) { return block + WORD; }
static char *block_of(void *ptr) { return (char *)ptr - WORD; }

static void set_block(char *block, size_t size, int used) {
  *header(block) = size | (used ? USED : 0);
  *footer(block) = size | (used ? USED : 0);
}

static void list_remove(char *block) {
  struct free_links *l = links(block);
  if (l->prev) links(l->prev)->next = l->next;
  else free_list = l->next;
  if (l->next) links(l->next)->prev = l->prev;
}

static void list_push(char *block) {
  struct free_links *l = links(block);
  l->prev = NULL;
  l->next = free_list;
  if (free_list) links(free_list)->prev = block;
  free_list = block;
}

/* Merges a free block (not on the list) with free neighbours and puts the result on the list. */
static char *coalesce(char *block) {
  if (block > heap_lo) {
    word prev_footer = *(word *)(void *)(block - WORD);
    if (!(prev_footer & USED)) {
      char *prev = block - (prev_footer & ~(size_t)USED);
      list_remove(prev);
      set_block(prev, block_size(prev) + block_size(block), 0);
      block = prev;
    }
  }
  char *next = block + block_size(block);
  if (next < heap_hi && !block_used(next)) {
    list_remove(next);
    set_block(block, block_size(block) + block_size(next), 0);
  }
  list_push(block);
  return block;
}

static int heap_init(void) {
  char *start = __vl_sbrk(0);
  if (start == (char *)-1) return -1;
  /* Place the first header one word before an ALIGN boundary so payloads are aligned. */
  uintptr_t first = ((uintptr_t)start + WORD + ALIGN - 1) / ALIGN * ALIGN - WORD;
  size_t skip = first - (uintptr_t)start;
  if (__vl_sbrk((intptr_t)(skip + WORD)) == (void *)-1) return -1;
  heap_lo = heap_hi = (char *)first;
  *header(heap_hi) = USED;
  return 0;
}

/* Extends the heap by at least size bytes; returns the new free block (already coalesced). */
static char *heap_grow(size_t size) {
  if (size < GROW_MIN) size = GROW_MIN;
  if (size > (size_t)INTPTR_MAX) return NULL;
  char *old_break = __vl_sbrk((intptr_t)size);
  if (old_break == (char *)-1) return NULL;
  /* The old epilogue header becomes the new block's header; a new epilogue follows it. */
  char *block = heap_hi;
  set_block(block, size, 0);
  heap_hi = block + size;
  *header(heap_hi) = USED;
  return coalesce(block);
}

static size_t request_size(size_t n) {
  if (n > (size_t)-1 - 2 * WORD - ALIGN) return 0;
  size_t size = (n + 2 * WORD + ALIGN - 1) / ALIGN * ALIGN;
  return size < MIN_BLOCK ? MIN_BLOCK : size;
}

/* Marks block used and gives any large enough tail beyond size back as a free block. */
static void place(char *block, size_t size) {
  size_t total = block_size(block);
  if (total - size >= MIN_BLOCK) {
    set_block(block, size, 1);
    char *rest = block + size;
    set_block(rest, total - size, 0);
    coalesce(rest);
  } else {
    set_block(block, total, 1);
  }
}

void *malloc(size_t n) {
  if (n == 0) n = 1;
  size_t size = request_size(n);
  if (size == 0) return NULL;
  if (heap_lo == NULL && heap_init() != 0) return NULL;
  char *block = free_list;
  while (block && block_size(block) < size) block = links(block)->next;
  if (block == NULL) {
    block = heap_grow(size);
    if (block == NULL || block_size(block) < size) return NULL;
  }
  list_remove(block);
  place(block, size);
  return payload(block);
}

void free(void *ptr) {
  if (ptr == NULL) return;
  char *block = block_of(ptr);
  set_block(block, block_size(block), 0);
  coalesce(block);
}

void *calloc(size_t count, size_t size) {
  if (size != 0 && count > (size_t)-1 / size) return NULL;
  void *p = malloc(count * size);
  if (p) memset(p, 0, count * size);
  return p;
}

void *realloc(void *ptr, size_t n) {
  if (ptr == NULL) return malloc(n);
  if (n == 0) {
    free(ptr);
    return NULL;
  }
  size_t size = request_size(n);
  if (size == 0) return NULL;
  char *block = block_of(ptr);
  size_t have = block_size(block);
  if (have >= size) return ptr;
  /* Grow in place when the next block is free and large enough. */
  char *next = block + have;
  if (next < heap_hi && !block_used(next) && have + block_size(next) >= size) {
    list_remove(next);
    set_block(block, have + block_size(next), 1);
    place(block, size);
    return ptr;
  }
  void *fresh = malloc(n);
  if (fresh == NULL) return NULL;
  memcpy(fresh, ptr, have - 2 * WORD);
  free(ptr);
  return fresh;
}
