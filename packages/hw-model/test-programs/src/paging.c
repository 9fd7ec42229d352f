/*
 * Sv32 paging (priv 4.3): an identity-mapped kernel in S-mode on 4 MiB megapages, a 4 KiB level-0
 * table with aliases of one data page under different permissions, and the page faults that
 * follow from them: store to a read-only page, S touching a U page without and with SUM, a load
 * from an execute-only page without and with MXR, an unmapped address, a fetch from a
 * non-executable page; and the accessed/dirty bits as the hart leaves them.
 */
#include "rt.h"

#define PTE_V (1u << 0)
#define PTE_R (1u << 1)
#define PTE_W (1u << 2)
#define PTE_X (1u << 3)
#define PTE_U (1u << 4)
#define PTE_A (1u << 6)
#define PTE_D (1u << 7)
#define SSTATUS_SUM (1u << 18)
#define SSTATUS_MXR (1u << 19)
#define VBASE 0x40000000u

static uint32_t root[1024] __attribute__((aligned(4096)));
static uint32_t l0[1024] __attribute__((aligned(4096)));
static volatile uint32_t data[1024] __attribute__((aligned(4096)));

static volatile uint32_t recover_pc;
static volatile uint32_t faults;

static uint32_t leaf(uint32_t pa, uint32_t flags) { return ((pa >> 12) << 10) | flags | PTE_V; }

/* S-mode handler for the delegated page faults: report and continue. */
__attribute__((interrupt("supervisor"), aligned(4))) static void s_handler(void) {
  faults++;
  puts_("  fault: ");
  show("scause", csr_read(scause));
  show("  stval", csr_read(stval));
  if (recover_pc != 0) {
    csr_write(sepc, recover_pc);
    recover_pc = 0;
  } else {
    csr_write(sepc, csr_read(sepc) + 4);
  }
}

/* The S-mode kernel's ecall ends the test in M-mode. */
__attribute__((interrupt("machine"), aligned(4))) static void m_handler(void) {
  uint32_t cause = csr_read(mcause);
  if (cause != 9) unexpected_trap(cause, csr_read(mepc), csr_read(mtval));
  show("faults", faults);
  show("data[0] seen from M", data[0]);
  finish(0);
}

static uint32_t load(uint32_t va) {
  uint32_t v;
  /* A single lw, so the handler's sepc + 4 lands on the next instruction. */
  __asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(va) : "memory");
  return v;
}

static void store(uint32_t va, uint32_t v) { __asm__ volatile("sw %0, 0(%1)" ::"r"(v), "r"(va) : "memory"); }

static void kernel(void) {
  puts_("S mode, paging on\n");
  show("read via alias 0", load(VBASE));
  store(VBASE, 0xcafef00d);
  show("read via alias 1", load(VBASE + 0x1000));
  puts_("store to read-only alias\n");
  store(VBASE + 0x1000, 1);
  puts_("S load from U page, SUM=0\n");
  load(VBASE + 0x2000);
  csr_set(sstatus, SSTATUS_SUM);
  show("S load from U page, SUM=1", load(VBASE + 0x2000));
  csr_clear(sstatus, SSTATUS_SUM);
  puts_("load from execute-only page, MXR=0\n");
  load(VBASE + 0x4000);
  csr_set(sstatus, SSTATUS_MXR);
  show("load from execute-only page, MXR=1", load(VBASE + 0x4000));
  csr_clear(sstatus, SSTATUS_MXR);
  puts_("unmapped load\n");
  load(0x50000000u);
  puts_("fetch from non-executable page\n");
  __asm__ volatile("la t0, 1f\n sw t0, 0(%0)\n jr %1\n 1:" ::"r"(&recover_pc), "r"(VBASE) : "t0", "memory");
  show("A|D of untouched page before", l0[3] & (PTE_A | PTE_D));
  load(VBASE + 0x3000);
  show("A|D after a load", l0[3] & (PTE_A | PTE_D));
  store(VBASE + 0x3000, 5);
  show("A|D after a store", l0[3] & (PTE_A | PTE_D));
  __asm__ volatile("ecall");
}

int main(void) {
  puts_("paging test\n");
  data[0] = 0x12345678;
  uint32_t ram = 0x80000000u, dp = (uint32_t)data;
  /* The program's 16 MiB of RAM (link.ld) on four 4 MiB megapages. */
  for (uint32_t mp = ram; mp < ram + (16u << 20); mp += 4u << 20) root[mp >> 22] = leaf(mp, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
  root[UART0 >> 22] = leaf(UART0 & ~0x3fffffu, PTE_R | PTE_W | PTE_A | PTE_D);
  root[VBASE >> 22] = (((uint32_t)l0 >> 12) << 10) | PTE_V; /* pointer to the next level */
  l0[0] = leaf(dp, PTE_R | PTE_W | PTE_A | PTE_D);
  l0[1] = leaf(dp, PTE_R | PTE_A);
  l0[2] = leaf(dp, PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
  l0[3] = leaf(dp, PTE_R | PTE_W);
  l0[4] = leaf(dp, PTE_X | PTE_A);

  csr_write(mtvec, (uint32_t)m_handler);
  csr_write(stvec, (uint32_t)s_handler);
  csr_write(medeleg, (1u << 12) | (1u << 13) | (1u << 15));
  csr_write(pmpaddr0, 0xffffffffu);
  csr_write(pmpcfg0, 0x1f);
  csr_write(satp, (1u << 31) | ((uint32_t)root >> 12));
  __asm__ volatile("sfence.vma");
  csr_clear(mstatus, 3u << 11);
  csr_set(mstatus, 1u << 11); /* MPP = S */
  csr_write(mepc, (uint32_t)kernel);
  __asm__ volatile("mret");
  return 1;
}
