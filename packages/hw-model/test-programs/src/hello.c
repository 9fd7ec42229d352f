/* The smallest differential check: text, numbers and arithmetic (M extension) on the UART. */
#include "rt.h"

static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void) {
  puts_("hello from the virt board\n");
  put_dec(fib(20));
  putc_('\n');
  volatile int32_t a = -7, b = 2, zero = 0;
  show("div", (uint32_t)(a / b));
  show("rem", (uint32_t)(a % b));
  show("divzero", (uint32_t)(a / zero));
  show("remzero", (uint32_t)(a % zero));
  volatile int32_t min = INT32_MIN, m1 = -1;
  show("overflow", (uint32_t)(min / m1));
  show("mulh", (uint32_t)(((int64_t)a * 0x40000000) >> 32));
  /* QEMU's default CPU has more extensions (F, D, C, H); compare MXL and I, M, A, S, U. */
  show("misa", csr_read(misa) & 0xc0141101u);
  show("mhartid", csr_read(mhartid));
  return 0;
}
