/*
 * Garbage written to every register of every device (except the finisher, which would end the
 * run), at every width, then the UART put back in order and a line printed: the machine must
 * keep running and keep answering. Devices that take only 32-bit accesses (CLINT, PLIC) answer
 * narrower ones with access faults, which are counted and skipped: QEMU and the board must count
 * the same.
 */
#include "rt.h"

static volatile uint32_t load_faults, store_faults;

__attribute__((interrupt("machine"), aligned(4))) static void handler(void) {
  uint32_t cause = csr_read(mcause);
  if (cause == 5) {
    load_faults++;
  } else if (cause == 7) {
    store_faults++;
  } else {
    unexpected_trap(cause, csr_read(mepc), csr_read(mtval));
  }
  csr_write(mepc, csr_read(mepc) + 4);
}

static uint32_t values[] = {0xffffffffu, 0xdeadbeefu, 0x80000000u, 0u, 0x5a5a5a5au};

static void garbage(uint32_t base, uint32_t size, uint32_t step) {
  for (uint32_t off = 0; off < size; off += step) {
    for (unsigned i = 0; i < sizeof values / sizeof values[0]; i++) {
      uint32_t a = base + off, v = values[i];
      *(volatile uint32_t *)a = v;
      (void)*(volatile uint32_t *)a;
      *(volatile uint16_t *)a = (uint16_t)v;
      (void)*(volatile uint16_t *)a;
      *(volatile uint8_t *)a = (uint8_t)v;
      (void)*(volatile uint8_t *)a;
    }
  }
}

int main(void) {
  puts_("writing garbage to every device register\n");
  csr_write(mtvec, (uint32_t)handler);
  /* Every register densely, the rest of each window (and the unmapped tails) sparsely. */
  garbage(0x00001000u, 0xf000u, 0x100);          /* mask ROM */
  garbage(CLINT, 0x10u, 4);                      /* msip */
  garbage(CLINT + 0x10u, 0x10000u - 0x10u, 0x100); /* other harts' msip, mtimecmp, tail */
  garbage(CLINT + 0x4000u, 0x10u, 4);            /* mtimecmp */
  garbage(CLINT + 0xbff0u, 0x20u, 4);            /* mtime and the end of the mtimer window */
  garbage(PLIC, 0x100u, 4);                      /* priorities of sources 0..63 */
  garbage(PLIC + 0x100u, 0x3000u - 0x100u, 0x40); /* more priorities, pending, enables */
  garbage(PLIC + 0x2000u, 0x10u, 4);             /* context 0 enables */
  garbage(PLIC + 0x2080u, 0x10u, 4);             /* context 1 enables */
  garbage(PLIC + 0x200000u, 0x10u, 4);           /* context 0 threshold, claim/complete */
  garbage(PLIC + 0x201000u, 0x10u, 4);           /* context 1 */
  garbage(PLIC + 0x202000u, 0x4000u, 0x100);     /* contexts that do not exist */
  garbage(0x10001000u, 0x1000u, 4);              /* virtio-mmio slot 0, every register */
  garbage(0x10002000u, 0x7000u, 0x100);          /* slots 1-7 */
  garbage(UART0, 0x100u, 1);                     /* UART, every byte of its slot */
  /* Put the UART back: 8N1, no loopback, no interrupts. */
  mmio_write8(UART0 + 3, 0x03);
  mmio_write8(UART0 + 4, 0x00);
  mmio_write8(UART0 + 1, 0x00);
  puts_("\nstill running\n");
  show("load access faults", load_faults);
  show("store access faults", store_faults);
  return 0;
}
