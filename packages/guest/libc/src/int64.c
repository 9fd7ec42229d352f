/* 64-bit division for RV32, which has no 64-bit divide instruction: the compiler calls these
 * runtime functions (the libgcc/compiler-rt names) for uint64_t / and %. Shift-subtract long
 * division, with a fast path when both operands fit in 32 bits. */
#include <stdint.h>

static uint64_t divmod_u64(uint64_t n, uint64_t d, uint64_t *rem) {
  if (d == 0) {
    /* Division by zero is undefined in C; return all ones like the RISC-V divu instruction. */
    if (rem) *rem = n;
    return ~(uint64_t)0;
  }
  if ((n >> 32) == 0 && (d >> 32) == 0) {
    uint32_t n32 = (uint32_t)n, d32 = (uint32_t)d;
    if (rem) *rem = n32 % d32;
    return n32 / d32;
  }
  uint64_t q = 0, r = 0;
  for (int i = 63; i >= 0; i--) {
    r = (r << 1) | ((n >> i) & 1);
    if (r >= d) {
      r -= d;
      q |= (uint64_t)1 << i;
    }
  }
  if (rem) *rem = r;
  return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d) { return divmod_u64(n, d, 0); }

uint64_t __umoddi3(uint64_t n, uint64_t d) {
  uint64_t r;
  divmod_u64(n, d, &r);
  return r;
}

int64_t __divdi3(int64_t n, int64_t d) {
  uint64_t un = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
  uint64_t ud = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
  uint64_t q = divmod_u64(un, ud, 0);
  return (int64_t)(((n < 0) != (d < 0)) ? 0 - q : q);
}

int64_t __moddi3(int64_t n, int64_t d) {
  uint64_t un = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
  uint64_t ud = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
  uint64_t r;
  divmod_u64(un, ud, &r);
  return (int64_t)(n < 0 ? 0 - r : r);
}
