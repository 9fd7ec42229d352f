/*
 * Machine timer interrupts from the CLINT (priv 3.1.9, 3.2.1): arm mtimecmp, wait in WFI, take
 * MTI five times in a direct-mode handler, then once through a vectored mtvec. The output depends
 * only on the order of events, never on how long anything took.
 */
#include "rt.h"

#define MTIMECMP (CLINT + 0x4000)
#define MTIME (CLINT + 0xbff8)
#define MIE_MTIE (1u << 7)
#define MSTATUS_MIE (1u << 3)

static volatile uint32_t ticks;
static volatile uint32_t last_cause;
static volatile uint32_t vectored_hits;

static uint64_t mtime(void) {
  uint32_t hi, lo;
  do {
    hi = mmio_read32(MTIME + 4);
    lo = mmio_read32(MTIME);
  } while (hi != mmio_read32(MTIME + 4));
  return ((uint64_t)hi << 32) | lo;
}

static void arm(uint64_t when) {
  /* Write the high word last-but-one with an impossible value first (priv 3.2.1's sequence). */
  mmio_write32(MTIMECMP + 4, 0xffffffffu);
  mmio_write32(MTIMECMP, (uint32_t)when);
  mmio_write32(MTIMECMP + 4, (uint32_t)(when >> 32));
}

__attribute__((interrupt("machine"), aligned(4))) static void direct_handler(void) {
  last_cause = csr_read(mcause);
  ticks++;
  if (ticks < 5) {
    arm(mtime() + 1000);
  } else {
    arm(~0ull);
  }
}

__attribute__((interrupt("machine"), used)) void vectored_mti(void) {
  vectored_hits++;
  arm(~0ull);
}

__attribute__((interrupt("machine"), used)) void vectored_other(void) {
  puts_("wrong vector\n");
  finish(3);
}

/* Vectored mode: entry 7 (MTI) at base + 4*7; every other entry jumps to vectored_other. */
__attribute__((naked, aligned(64))) static void vector_table(void) {
  __asm__ volatile(
      ".option push\n.option norvc\n"
      "j vectored_other\n j vectored_other\n j vectored_other\n j vectored_other\n"
      "j vectored_other\n j vectored_other\n j vectored_other\n j vectored_mti\n"
      "j vectored_other\n j vectored_other\n j vectored_other\n j vectored_other\n"
      ".option pop\n");
}

int main(void) {
  puts_("timer test\n");
  csr_write(mtvec, (uint32_t)direct_handler);
  arm(mtime() + 500);
  csr_set(mie, MIE_MTIE);
  csr_set(mstatus, MSTATUS_MIE);
  uint32_t seen = 0;
  /* Print every tick once, however many arrived while printing: the output must not depend on timing. */
  while (seen < 5) {
    WAIT_UNTIL(mstatus, MSTATUS_MIE, seen < ticks);
    seen++;
    puts_("tick ");
    put_dec(seen);
    putc_('\n');
  }
  show("mcause", last_cause);
  show("mip.MTIP after disarm", (csr_read(mip) >> 7) & 1);

  csr_clear(mstatus, MSTATUS_MIE);
  csr_write(mtvec, (uint32_t)vector_table | 1);
  arm(mtime() + 200);
  while ((csr_read(mip) & MIE_MTIE) == 0) {
  }
  puts_("pending while masked\n");
  csr_set(mstatus, MSTATUS_MIE);
  while (vectored_hits == 0) {
  }
  show("vectored hits", vectored_hits);
  return 0;
}
