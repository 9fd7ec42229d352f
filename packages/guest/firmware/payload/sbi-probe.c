/* An S-mode payload that checks the firmware: it probes every SBI extension, calls each
 * function (and some that must fail), checks delegation, counters and the timer interrupt, and
 * prints one line per result through DBCN and the legacy putchar. It ends the way the build
 * variant says: SRST shutdown with status EXIT_STATUS (default), a legacy shutdown
 * (LEGACY_SHUTDOWN) or an SRST cold reboot (REBOOT). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "../sbi.h"

struct sbiret {
  long error;
  long value;
};

static struct sbiret sbi_call(uint32_t eid, uint32_t fid, uint32_t a0, uint32_t a1, uint32_t a2) {
  register uint32_t r0 __asm__("a0") = a0;
  register uint32_t r1 __asm__("a1") = a1;
  register uint32_t r2 __asm__("a2") = a2;
  register uint32_t r6 __asm__("a6") = fid;
  register uint32_t r7 __asm__("a7") = eid;
  __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
  return (struct sbiret){(long)r0, (long)r1};
}

static long legacy_call(uint32_t eid, uint32_t a0) {
  register uint32_t r0 __asm__("a0") = a0;
  register uint32_t r7 __asm__("a7") = eid;
  __asm__ volatile("ecall" : "+r"(r0) : "r"(r7) : "memory", "a1");
  return (long)r0;
}

/* Output: lines are built in a buffer and written with DBCN write. */
static char line[160];
static uint32_t used;

static void put(char c) {
  if (used < sizeof line) line[used++] = c;
}

static void put_str(const char *s) {
  while (*s) put(*s++);
}

static void put_hex(uint32_t v) {
  put_str("0x");
  for (int shift = 28; shift >= 0; shift -= 4) put("0123456789abcdef"[(v >> shift) & 15]);
}

static void put_dec(long v) {
  char digits[12];
  int n = 0;
  uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
  if (v < 0) put('-');
  do digits[n++] = (char)('0' + u % 10);
  while ((u /= 10) != 0);
  while (n > 0) put(digits[--n]);
}

static void flush(void) {
  put('\n');
  struct sbiret r = sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE, used, (uint32_t)(uintptr_t)line, 0);
  if (r.error != SBI_SUCCESS || (uint32_t)r.value != used) {
    /* Fall back to the legacy console so the failure is visible. */
    const char *msg = "dbcn write failed\n";
    while (*msg) legacy_call(SBI_EXT_LEGACY_PUTCHAR, (uint8_t)*msg++);
  }
  used = 0;
}

static void report(const char *what, long value, int hex) {
  put_str(what);
  put_str(": ");
  if (hex) put_hex((uint32_t)value);
  else put_dec(value);
  flush();
}

#define csr_read(csr)                                  \
  ({                                                   \
    uint32_t value_;                                   \
    __asm__ volatile("csrr %0, " #csr : "=r"(value_)); \
    value_;                                            \
  })

/* Supervisor trap handler: counts timer interrupts and skips an illegal instruction. */
static volatile uint32_t timer_interrupts, last_scause;

__attribute__((interrupt("supervisor"), aligned(4))) static void s_trap(void) {
  uint32_t cause = csr_read(scause);
  last_scause = cause;
  if (cause == (0x80000000u | 5)) {
    timer_interrupts++;
    /* SBI 6.1: a timer far in the future clears the pending interrupt. */
    sbi_call(SBI_EXT_TIME, 0, 0xffffffffu, 0xffffffffu, 0);
  } else {
    __asm__ volatile("csrw sepc, %0" ::"r"(csr_read(sepc) + 4));
  }
}

static uint64_t read_time(void) {
  uint32_t hi, lo, again;
  do {
    hi = csr_read(timeh);
    lo = csr_read(time);
    again = csr_read(timeh);
  } while (hi != again);
  return (uint64_t)hi << 32 | lo;
}

void payload_main(uint32_t hart, uint32_t fdt) {
  report("hart", hart, 0);
  const uint8_t *magic = (const uint8_t *)(uintptr_t)fdt;
  report("fdt magic", (long)((uint32_t)magic[0] << 24 | (uint32_t)magic[1] << 16 | (uint32_t)magic[2] << 8 | magic[3]), 1);

  report("spec version", sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0).value, 1);
  report("impl id", sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0).value, 1);
  report("impl version", sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION, 0, 0, 0).value, 1);
  static const struct {
    const char *name;
    uint32_t eid;
  } extensions[] = {
      {"probe base", SBI_EXT_BASE},       {"probe time", SBI_EXT_TIME},
      {"probe srst", SBI_EXT_SRST},       {"probe dbcn", SBI_EXT_DBCN},
      {"probe legacy set_timer", SBI_EXT_LEGACY_SET_TIMER},
      {"probe legacy putchar", SBI_EXT_LEGACY_PUTCHAR},
      {"probe legacy getchar", SBI_EXT_LEGACY_GETCHAR},
      {"probe legacy shutdown", SBI_EXT_LEGACY_SHUTDOWN},
      {"probe hsm", SBI_EXT_HSM},         {"probe 0x12345678", 0x12345678u},
  };
  for (size_t i = 0; i < sizeof extensions / sizeof extensions[0]; i++) {
    struct sbiret r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, extensions[i].eid, 0, 0);
    report(extensions[i].name, r.error == SBI_SUCCESS ? r.value : r.error, 0);
  }
  report("mvendorid", sbi_call(SBI_EXT_BASE, SBI_BASE_GET_MVENDORID, 0, 0, 0).value, 1);
  report("marchid", sbi_call(SBI_EXT_BASE, SBI_BASE_GET_MARCHID, 0, 0, 0).value, 1);
  report("mimpid", sbi_call(SBI_EXT_BASE, SBI_BASE_GET_MIMPID, 0, 0, 0).value, 1);
  report("base function 99 error", sbi_call(SBI_EXT_BASE, 99, 0, 0, 0).error, 0);
  report("unknown extension error", sbi_call(0x12345678u, 0, 0, 0, 0).error, 0);

  /* DBCN: write_byte, and writes that must be refused. */
  const char *bytes = "write_byte ok";
  for (const char *p = bytes; *p; p++) sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE_BYTE, (uint8_t)*p, 0, 0);
  sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE_BYTE, '\n', 0, 0);
  report("dbcn write above 4 GiB error", sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE, 4, 0, 1).error, 0);
  report("dbcn write outside ram error", sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE, 4, 0x1000, 0).error, 0);
  char scratch[8];
  struct sbiret read = sbi_call(SBI_EXT_DBCN, SBI_DBCN_READ, sizeof scratch, (uint32_t)(uintptr_t)scratch, 0);
  report("dbcn read error", read.error, 0);
  for (const char *p = "legacy putchar ok\n"; *p; p++) legacy_call(SBI_EXT_LEGACY_PUTCHAR, (uint8_t)*p);

  /* Counters (mcounteren) and delegation (medeleg): reading cycle must not trap, an M-mode
   * CSR access from S is an illegal instruction handled here in S. */
  __asm__ volatile("csrw stvec, %0" ::"r"((uint32_t)(uintptr_t)s_trap));
  uint32_t cycle = csr_read(cycle), instret = csr_read(instret);
  uint64_t t0 = read_time();
  report("counters trapped", last_scause != 0, 0);
  (void)cycle;
  (void)instret;
  __asm__ volatile("csrr t0, mscratch" ::: "t0");
  report("illegal instruction scause", (long)last_scause, 0);

  /* TIME: an interrupt ~1 ms of timebase later (10 MHz on virt), then no more. sstatus.SIE
   * stays clear while waiting: wfi wakes on a pending enabled interrupt whatever SIE says
   * (priv 3.3.3), and the interrupt is taken in the short SIE window after it, so it cannot
   * arrive between the check and the wfi and leave the hart asleep. */
  uint64_t when = t0 + 10000;
  __asm__ volatile("csrs sie, %0" ::"r"(1u << 5));
  sbi_call(SBI_EXT_TIME, 0, (uint32_t)when, (uint32_t)(when >> 32), 0);
  while (timer_interrupts == 0 && read_time() < t0 + 100000000u) {
    __asm__ volatile("wfi");
    __asm__ volatile("csrs sstatus, %0" ::"r"(1u << 1));
    __asm__ volatile("csrc sstatus, %0" ::"r"(1u << 1));
  }
  report("timer interrupts", timer_interrupts, 0);
  report("timer fired after deadline", read_time() >= when, 0);
  report("stip pending after re-arm", (csr_read(sip) >> 5) & 1, 0);

#if defined(REBOOT)
  report("srst cold reboot", 0, 0);
  struct sbiret r = sbi_call(SBI_EXT_SRST, 0, SBI_SRST_COLD_REBOOT, SBI_SRST_REASON_NONE, 0);
#elif defined(LEGACY_SHUTDOWN)
  report("legacy shutdown", 0, 0);
  legacy_call(SBI_EXT_LEGACY_SHUTDOWN, 0);
  struct sbiret r = {SBI_ERR_FAILED, 0};
#else
#ifndef EXIT_STATUS
#define EXIT_STATUS 0
#endif
  report("srst reserved type error", sbi_call(SBI_EXT_SRST, 0, 5, 0, 0).error, 0);
  report("srst reserved reason error", sbi_call(SBI_EXT_SRST, 0, 0, 7, 0).error, 0);
  report("srst shutdown status", EXIT_STATUS, 0);
  struct sbiret r = sbi_call(SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, VL_SRST_REASON_STATUS | EXIT_STATUS, 0);
#endif
  report("still running, error", r.error, 0);
  for (;;) __asm__ volatile("wfi");
}
