#include "rt.h"

void putc_(char c) {
  /* Wait for THR empty (LSR bit 5), as a driver for real hardware must. */
  while ((mmio_read8(UART0 + 5) & 0x20) == 0) {
  }
  mmio_write8(UART0, (uint8_t)c);
}

void puts_(const char *s) {
  while (*s) putc_(*s++);
}

void put_hex(uint32_t v) {
  puts_("0x");
  for (int i = 28; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]);
}

void put_dec(uint32_t v) {
  char buf[11];
  int n = 0;
  do {
    buf[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) putc_(buf[--n]);
}

void show(const char *label, uint32_t v) {
  puts_(label);
  putc_('=');
  put_hex(v);
  putc_('\n');
}

void finish(int code) {
  /* sifive_test: 0x5555 = pass, (code << 16) | 0x3333 = fail with code. */
  mmio_write32(FINISHER, code == 0 ? 0x5555u : ((uint32_t)code << 16) | 0x3333u);
  for (;;) {
  }
}

void unexpected_trap(uint32_t cause, uint32_t epc, uint32_t tval) {
  puts_("unexpected trap\n");
  show("mcause", cause);
  show("mepc", epc);
  show("mtval", tval);
  finish(99);
}
