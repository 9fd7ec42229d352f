/* Integer matrix multiply C = A x B (n x n, uint32 with wrap-around): multiply-accumulate in a
 * cache-friendly i-k-j loop order, then a checksum of C. Exercises mul and strided loads. */
#include "../common/workload.h"

static void multiply(const uint32_t *a, const uint32_t *b, uint32_t *c, size_t n) {
  memset(c, 0, n * n * sizeof *c);
  for (size_t i = 0; i < n; i++) {
    for (size_t k = 0; k < n; k++) {
      uint32_t aik = a[i * n + k];
      const uint32_t *brow = b + k * n;
      uint32_t *crow = c + i * n;
      for (size_t j = 0; j < n; j++) crow[j] += aik * brow[j];
    }
  }
}

static int workload(enum size size) {
  size_t n = BY_SIZE(size, 40, 120);
  uint32_t rounds = BY_SIZE(size, 2, 60);
  uint32_t *a = malloc(n * n * sizeof *a);
  uint32_t *b = malloc(n * n * sizeof *b);
  uint32_t *c = malloc(n * n * sizeof *c);
  if (a == NULL || b == NULL || c == NULL) return 1;
  uint32_t seed = 0x2545f491u;
  for (size_t i = 0; i < n * n; i++) {
    a[i] = xorshift32(&seed) % 1000;
    b[i] = xorshift32(&seed) % 1000;
  }
  uint32_t combined = 0;
  for (uint32_t r = 0; r < rounds; r++) {
    multiply(a, b, c, n);
    uint32_t sum = 0, trace = 0;
    for (size_t i = 0; i < n * n; i++) sum = sum * 33u + c[i];
    for (size_t i = 0; i < n; i++) trace += c[i * n + i];
    if (r % (rounds / 2) == 0) printf("round %u: c[0][0] %u trace %u hash %08x\n", r, c[0], trace, sum);
    combined ^= sum + r;
    /* Feed the result back so every round computes something new. */
    for (size_t i = 0; i < n * n; i++) a[i] = c[i] % 1000;
  }
  printf("%ux%u, %u rounds, hash %08x\n", (unsigned)n, (unsigned)n, rounds, combined);
  free(a);
  free(b);
  free(c);
  return 0;
}
