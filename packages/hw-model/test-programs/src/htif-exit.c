/* The HTIF exit convention of riscv-tests: write (code << 1) | 1 to `tohost` and wait; the host
 * (spike, or the board in --htif mode) ends the run with exit code 5. */
#include "rt.h"

volatile uint32_t tohost[2] __attribute__((section(".tohost"), aligned(8)));
volatile uint32_t fromhost[2] __attribute__((section(".tohost"), aligned(8)));

int main(void) {
  puts_("exit 5 through tohost\n");
  tohost[0] = (5u << 1) | 1u;
  for (;;) {
  }
}
