/* N-queens: counts all placements of n queens on an n x n board by backtracking over bitmasks
 * of free columns and diagonals, using the board's mirror symmetry. Recursion, branches and bit tricks (x & -x). The counts are
 * OEIS A000170 (8 -> 92, 10 -> 724, 12 -> 14200, 14 -> 365596). */
#include "../common/workload.h"

static uint32_t solve(uint32_t all, uint32_t cols, uint32_t left, uint32_t right) {
  if (cols == all) return 1;
  uint32_t count = 0;
  uint32_t free_squares = all & ~(cols | left | right);
  while (free_squares != 0) {
    uint32_t bit = free_squares & (0u - free_squares);
    free_squares ^= bit;
    count += solve(all, cols | bit, ((left | bit) << 1) & all, (right | bit) >> 1);
  }
  return count;
}

/* Mirror symmetry: a solution with the first-row queen in column c mirrors to one in column
 * n - 1 - c, so count the left half twice and the middle column (odd n) once. */
static uint32_t count_queens(unsigned n) {
  uint32_t all = (1u << n) - 1, half = 0;
  for (unsigned c = 0; c < n / 2; c++) {
    uint32_t bit = 1u << c;
    half += solve(all, bit, (bit << 1) & all, bit >> 1);
  }
  uint32_t count = 2 * half;
  if (n % 2 == 1) {
    uint32_t bit = 1u << (n / 2);
    count += solve(all, bit, (bit << 1) & all, bit >> 1);
  }
  return count;
}

static int workload(enum size size) {
  unsigned first = BY_SIZE(size, 4, 6);
  unsigned last = BY_SIZE(size, 9, 14);
  uint32_t total = 0;
  for (unsigned n = first; n <= last; n++) {
    uint32_t count = count_queens(n);
    printf("%u queens: %u solutions\n", n, count);
    total += count;
  }
  printf("total %u\n", total);
  return 0;
}
