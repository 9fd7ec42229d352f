/*
 * The S-mode half of the PLIC: UART receive interrupts routed to context 1 (hart 0 S-mode), which
 * drives SEIP; mideleg hands supervisor external interrupts to an S-mode handler (priv 3.1.8),
 * which claims and completes through context 1. Also shows that context 0 stays quiet.
 */
#include "rt.h"

#define UART_IRQ 10u
#define CTX1_THRESHOLD (PLIC + 0x201000u)
#define CTX1_CLAIM (PLIC + 0x201004u)
static volatile char line[128];
static volatile uint32_t len;
static volatile uint32_t lines;
static volatile uint32_t wrong;

__attribute__((interrupt("supervisor"), aligned(4))) static void s_handler(void) {
  uint32_t cause = csr_read(scause);
  if (cause != 0x80000009u) {
    wrong = cause;
    return;
  }
  uint32_t irq = mmio_read32(CTX1_CLAIM);
  if (irq == UART_IRQ) {
    while (mmio_read8(UART0 + 5) & 1) {
      char c = (char)mmio_read8(UART0);
      if (len < sizeof line - 1) line[len++] = c;
      if (c == '\n') lines++;
    }
  }
  mmio_write32(CTX1_CLAIM, irq);
}

__attribute__((interrupt("machine"), aligned(4))) static void m_handler(void) {
  uint32_t cause = csr_read(mcause);
  if (cause != 9) unexpected_trap(cause, csr_read(mepc), csr_read(mtval));
  /* The S-mode part asked to finish. */
  show("M-mode claim on context 0", mmio_read32(PLIC + 0x200004u));
  finish(wrong == 0 ? 0 : 3);
}

static void s_main(void) {
  csr_write(stvec, (uint32_t)s_handler);
  csr_set(sie, 1u << 9);      /* SEIE */
  csr_set(sstatus, 1u << 1);  /* SIE */
  WAIT_UNTIL(sstatus, 1u << 1, lines >= 2);
  csr_clear(sstatus, 1u << 1);
  puts_("S got: ");
  for (uint32_t i = 0; i < len; i++) putc_(line[i]);
  show("sip.SEIP after draining", (csr_read(sip) >> 9) & 1);
  __asm__ volatile("ecall");
}

int main(void) {
  puts_("uart echo through PLIC context 1 (S-mode)\n");
  mmio_write32(PLIC + 4u * UART_IRQ, 2);
  mmio_write32(PLIC + 0x2080u, 1u << UART_IRQ); /* context 1 enable */
  mmio_write32(CTX1_THRESHOLD, 1);              /* priority 2 > threshold 1 */
  mmio_write8(UART0 + 1, 0x01);
  csr_write(mtvec, (uint32_t)m_handler);
  csr_write(mideleg, 1u << 9);
  csr_write(pmpaddr0, 0xffffffffu);
  csr_write(pmpcfg0, 0x1f);
  csr_clear(mstatus, 3u << 11);
  csr_set(mstatus, 1u << 11);
  csr_write(mepc, (uint32_t)s_main);
  __asm__ volatile("mret");
  return 1;
}
