/* Sorting a large array of generated integers: an introsort-style quicksort (median of three,
 * insertion sort for short runs) plus a bottom-up merge sort, both checked for order and for
 * agreeing with each other. Branchy compares, swaps and memory traffic. */
#include "../common/workload.h"

static void insertion_sort(uint32_t *a, size_t n) {
  for (size_t i = 1; i < n; i++) {
    uint32_t v = a[i];
    size_t j = i;
    while (j > 0 && a[j - 1] > v) {
      a[j] = a[j - 1];
      j--;
    }
    a[j] = v;
  }
}

static void quick_sort(uint32_t *a, size_t n) {
  while (n > 16) {
    uint32_t x = a[0], y = a[n / 2], z = a[n - 1];
    uint32_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    size_t i = 0, j = n - 1;
    for (;;) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i >= j) break;
      uint32_t t = a[i];
      a[i] = a[j];
      a[j] = t;
      i++;
      j--;
    }
    /* Recurse into the smaller side so the stack stays O(log n). */
    size_t left = j + 1;
    if (left < n - left) {
      quick_sort(a, left);
      a += left;
      n -= left;
    } else {
      quick_sort(a + left, n - left);
      n = left;
    }
  }
  insertion_sort(a, n);
}

static void merge_sort(uint32_t *a, uint32_t *tmp, size_t n) {
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n;
      size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
      while (i < mid) tmp[k++] = a[i++];
      while (j < hi) tmp[k++] = a[j++];
    }
    memcpy(a, tmp, n * sizeof *a);
  }
}

static int workload(enum size size) {
  size_t n = BY_SIZE(size, 8000, 350000);
  uint32_t rounds = BY_SIZE(size, 1, 4);
  uint32_t *a = malloc(n * sizeof *a);
  uint32_t *b = malloc(n * sizeof *b);
  uint32_t *tmp = malloc(n * sizeof *tmp);
  if (a == NULL || b == NULL || tmp == NULL) return 1;
  uint32_t seed = 0xdeadbeefu;
  uint32_t total = 0;
  for (uint32_t r = 0; r < rounds; r++) {
    /* Every other round has many duplicates, which stresses the partitioning. */
    uint32_t mask = r % 2 == 0 ? 0xffffffffu : 0x3ffu;
    for (size_t i = 0; i < n; i++) a[i] = b[i] = xorshift32(&seed) & mask;
    quick_sort(a, n);
    merge_sort(b, tmp, n);
    uint32_t sum = 0;
    for (size_t i = 0; i < n; i++) {
      if (i > 0 && a[i - 1] > a[i]) {
        printf("round %u: not sorted at %u\n", r, (unsigned)i);
        return 1;
      }
      if (a[i] != b[i]) {
        printf("round %u: sorts disagree at %u\n", r, (unsigned)i);
        return 1;
      }
      sum = sum * 31u + a[i];
    }
    printf("round %u: n %u min %08x median %08x max %08x hash %08x\n", r, (unsigned)n, a[0], a[n / 2], a[n - 1],
           sum);
    total ^= sum;
  }
  printf("sorted %u arrays, hash %08x\n", rounds, total);
  free(a);
  free(b);
  free(tmp);
  return 0;
}
