/*
 * UART receive with interrupts: IER.ERBFI on, source 10 through PLIC context 0 to MEIP; the
 * handler drains RBR while LSR.DR is set and completes the claim. Echoes two input lines in upper
 * case. Only the data is printed: how many interrupts the bytes took depends on arrival timing.
 */
#include "rt.h"

#define UART_IRQ 10u
static volatile char line[128];
static volatile uint32_t len;
static volatile uint32_t lines;

__attribute__((interrupt("machine"), aligned(4))) static void handler(void) {
  uint32_t cause = csr_read(mcause);
  if (cause != 0x8000000bu) unexpected_trap(cause, csr_read(mepc), csr_read(mtval));
  uint32_t irq = mmio_read32(PLIC + 0x200004u);
  if (irq == UART_IRQ) {
    while (mmio_read8(UART0 + 5) & 1) {
      char c = (char)mmio_read8(UART0);
      if (len < sizeof line - 1) line[len++] = c;
      if (c == '\n') lines++;
    }
  }
  mmio_write32(PLIC + 0x200004u, irq);
}

int main(void) {
  puts_("uart echo: type two lines\n");
  mmio_write32(PLIC + 4u * UART_IRQ, 3);
  mmio_write32(PLIC + 0x2000u, 1u << UART_IRQ);
  mmio_write32(PLIC + 0x200000u, 0);
  csr_write(mtvec, (uint32_t)handler);
  mmio_write8(UART0 + 1, 0x01); /* IER: received data available */
  csr_set(mie, 1u << 11);
  csr_set(mstatus, 1u << 3);
  WAIT_UNTIL(mstatus, 1u << 3, lines >= 2);
  csr_clear(mstatus, 1u << 3);
  puts_("got: ");
  for (uint32_t i = 0; i < len; i++) {
    char c = line[i];
    putc_(c >= 'a' && c <= 'z' ? (char)(c - 32) : c);
  }
  show("IIR after draining", mmio_read8(UART0 + 2) & 0x0f);
  return 0;
}
