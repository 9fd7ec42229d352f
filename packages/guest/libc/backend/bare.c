/* rv32-bare backend: M-mode on the QEMU virt memory map. Output goes to the ns16550a UART at
 * 0x1000_0000, the program ends through the sifive_test finisher at 0x10_0000, and the heap is
 * the static region between the end of .bss and the stack (bare.ld). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../src/backend.h"

#define UART_BASE 0x10000000u
#define UART_THR 0 /* transmit holding register */
#define UART_RBR 0 /* receive buffer register */
#define UART_LSR 5 /* line status register */
#define LSR_DR 0x01   /* data ready */
#define LSR_THRE 0x20 /* transmit holding register empty */
#define LSR_TEMT 0x40 /* transmitter empty */
#define FINISHER ((volatile uint32_t *)0x100000u)
#define FINISHER_PASS 0x5555u
#define FINISHER_FAIL 0x3333u

static volatile uint8_t *const uart = (volatile uint8_t *)UART_BASE;

static void uart_put(char c) {
  while ((uart[UART_LSR] & LSR_THRE) == 0) {
  }
  uart[UART_THR] = (uint8_t)c;
}

long __vl_write(int fd, const void *buf, size_t n) {
  if (fd != 1 && fd != 2) return -9; /* EBADF */
  const char *p = buf;
  for (size_t i = 0; i < n; i++) uart_put(p[i]);
  return (long)n;
}

long __vl_read(int fd, void *buf, size_t n) {
  if (fd != 0) return -9;
  char *p = buf;
  size_t got = 0;
  /* Block for the first byte, then take what is already waiting. */
  while (got < n) {
    if ((uart[UART_LSR] & LSR_DR) == 0) {
      if (got > 0) break;
      continue;
    }
    p[got++] = (char)uart[UART_RBR];
  }
  return (long)got;
}

static uint64_t read_minstret(void) {
  uint32_t hi, lo, again;
  do {
    __asm__ volatile("csrr %0, minstreth" : "=r"(hi));
    __asm__ volatile("csrr %0, minstret" : "=r"(lo));
    __asm__ volatile("csrr %0, minstreth" : "=r"(again));
  } while (hi != again);
  return ((uint64_t)hi << 32) | lo;
}

_Noreturn void __vl_exit(int status) {
  /* Instructions retired since reset (exact on the lab board and on QEMU with -icount; QEMU
   * without -icount counts host ticks). A metric line, so it is left out of equivalence. */
  dprintf(1, "@metric instret %llu\n", (unsigned long long)read_minstret());
  /* Let the transmitter drain first: QEMU's 16550 can still hold the last byte (THRE set, TEMT
   * not yet) when its write to the host was put off, and powering off then loses it. */
  while ((uart[UART_LSR] & LSR_TEMT) == 0) {
  }
  uint32_t code = (uint32_t)status & 0xffffu;
  *FINISHER = code == 0 ? FINISHER_PASS : (code << 16) | FINISHER_FAIL;
  for (;;) {
  }
}

extern char __heap_start[], __heap_end[];
static char *heap_break = __heap_start;

void *__vl_sbrk(intptr_t increment) {
  char *old = heap_break;
  if (increment > __heap_end - heap_break || increment < __heap_start - heap_break) return (void *)-1;
  heap_break += increment;
  return old;
}

void __vl_bare_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval) {
  dprintf(2, "trap: mcause 0x%08x mepc 0x%08x mtval 0x%08x\n", (unsigned)mcause, (unsigned)mepc, (unsigned)mtval);
  *FINISHER = (0xfeu << 16) | FINISHER_FAIL;
  for (;;) {
  }
}
