/* Sieve of Eratosthenes over a byte array: counts primes up to n and sums them, repeated over
 * a range of limits. Byte stores with a stride and a linear scan. pi(10^6) = 78498. */
#include "../common/workload.h"

static int workload(enum size size) {
  uint32_t limit = BY_SIZE(size, 100000, 2000000);
  uint32_t rounds = BY_SIZE(size, 1, 28);
  uint8_t *composite = malloc(limit + 1);
  if (composite == NULL) return 1;
  uint32_t combined = 0;
  for (uint32_t r = 0; r < rounds; r++) {
    uint32_t n = limit - r * 1000;
    memset(composite, 0, n + 1);
    for (uint32_t p = 2; p * p <= n; p++) {
      if (composite[p]) continue;
      for (uint32_t m = p * p; m <= n; m += p) composite[m] = 1;
    }
    uint32_t count = 0;
    uint64_t sum = 0;
    uint32_t largest = 0;
    for (uint32_t i = 2; i <= n; i++) {
      if (!composite[i]) {
        count++;
        sum += i;
        largest = i;
      }
    }
    if (r % 7 == 0 || r + 1 == rounds) {
      printf("primes <= %u: %u, sum %llu, largest %u\n", n, count, (unsigned long long)sum, largest);
    }
    combined = combined * 31u + count;
  }
  printf("rounds %u combined %08x\n", rounds, combined);
  free(composite);
  return 0;
}
