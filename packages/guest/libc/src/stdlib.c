/* Program start and end, and the small conversions of <stdlib.h>. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "backend.h"

int main(int argc, char **argv);

#define ATEXIT_MAX 32
static void (*atexit_fns[ATEXIT_MAX])(void);
static int atexit_count;

int atexit(void (*fn)(void)) {
  if (atexit_count == ATEXIT_MAX) return -1;
  atexit_fns[atexit_count++] = fn;
  return 0;
}

_Noreturn void exit(int status) {
  /* C11 7.22.4.4: functions registered by atexit run in reverse order, then streams flush. */
  while (atexit_count > 0) atexit_fns[--atexit_count]();
  fflush_stdout();
  __vl_exit(status);
}

_Noreturn void _Exit(int status) { __vl_exit(status); }

_Noreturn void abort(void) {
  fflush_stdout();
  static const char message[] = "abort\n";
  __vl_write(2, message, sizeof message - 1);
  __vl_exit(134); /* what a shell reports for SIGABRT: 128 + 6 */
}

_Noreturn void __vl_start(int argc, char **argv) { exit(main(argc, argv)); }

int abs(int x) { return x < 0 ? -x : x; }
long labs(long x) { return x < 0 ? -x : x; }

unsigned long strtoul(const char *s, char **end, int base) {
  const char *p = s;
  while (isspace(*p)) p++;
  int negative = 0;
  if (*p == '+' || *p == '-') negative = *p++ == '-';
  if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 32) == 'x' && isxdigit(p[2])) {
    p += 2;
    base = 16;
  } else if (base == 0) {
    base = p[0] == '0' ? 8 : 10;
  }
  unsigned long value = 0;
  const char *digits = p;
  for (;; p++) {
    int d;
    if (isdigit(*p)) d = *p - '0';
    else if (isalpha(*p)) d = (*p | 32) - 'a' + 10;
    else break;
    if (d >= base) break;
    value = value * (unsigned long)base + (unsigned long)d;
  }
  if (end) *end = (char *)(p == digits ? s : p);
  return negative ? 0ul - value : value;
}

long strtol(const char *s, char **end, int base) { return (long)strtoul(s, end, base); }

int atoi(const char *s) { return (int)strtol(s, NULL, 10); }

static void swap_bytes(unsigned char *a, unsigned char *b, size_t width) {
  for (size_t i = 0; i < width; i++) {
    unsigned char t = a[i];
    a[i] = b[i];
    b[i] = t;
  }
}

/* Heapsort: O(n log n) in the worst case and no recursion, so the stack stays small. */
static void sift_down(unsigned char *base, size_t root, size_t count, size_t width,
                      int (*compare)(const void *, const void *)) {
  for (;;) {
    size_t child = 2 * root + 1;
    if (child >= count) return;
    if (child + 1 < count && compare(base + child * width, base + (child + 1) * width) < 0) child++;
    if (compare(base + root * width, base + child * width) >= 0) return;
    swap_bytes(base + root * width, base + child * width, width);
    root = child;
  }
}

void qsort(void *base, size_t count, size_t width, int (*compare)(const void *, const void *)) {
  unsigned char *b = base;
  if (count < 2) return;
  for (size_t i = count / 2; i-- > 0;) sift_down(b, i, count, width, compare);
  for (size_t end = count - 1; end > 0; end--) {
    swap_bytes(b, b + end * width, width);
    sift_down(b, 0, end, width, compare);
  }
}
