/* virtlab firmware: an M-mode SBI implementation for the QEMU virt memory map (and the lab
 * board, which copies it). It prepares the machine for an S-mode kernel — delegation, PMP,
 * counters — enters the kernel at 0x8040_0000 and then serves SBI calls: Base, TIME, SRST,
 * DBCN and the legacy console, set_timer and shutdown calls. It prints nothing of its own, so
 * a kernel's console output is the same with this firmware on every machine. */
#include <stddef.h>
#include <stdint.h>

#include "sbi.h"

#define KERNEL_ENTRY 0x80400000u

/* Devices of the virt board (QEMU hw/riscv/virt.c; ARCHITECTURE.md "The lab machine"). */
#define UART ((volatile uint8_t *)0x10000000u) /* ns16550a */
#define UART_THR 0
#define UART_RBR 0
#define UART_LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define FINISHER ((volatile uint32_t *)0x100000u) /* sifive_test */
#define FINISHER_PASS 0x5555u
#define FINISHER_FAIL 0x3333u
#define FINISHER_RESET 0x7777u
#define CLINT_MTIMECMP(hart) ((volatile uint32_t *)(0x02004000u + 8u * (hart)))

/* CSR bits (privileged spec 1.12). */
#define MSTATUS_MPP_MASK (3u << 11)
#define MSTATUS_MPP_S (1u << 11)
#define MIP_SSIP (1u << 1)
#define MIP_STIP (1u << 5)
#define MIP_MTIP (1u << 7)
#define MIP_SEIP (1u << 9)
#define MCAUSE_INTERRUPT 0x80000000u
#define IRQ_M_TIMER 7
#define EXC_ECALL_S 9

struct trap_frame {
  uint32_t x[32]; /* x[2] is the interrupted sp */
};

#define REG_A0 10
#define REG_A1 11
#define REG_A2 12
#define REG_A6 16
#define REG_A7 17

#define csr_read(csr)                                  \
  ({                                                   \
    uint32_t value_;                                   \
    __asm__ volatile("csrr %0, " #csr : "=r"(value_)); \
    value_;                                            \
  })
#define csr_write(csr, value) __asm__ volatile("csrw " #csr ", %0" ::"r"((uint32_t)(value)))
#define csr_set(csr, bits) __asm__ volatile("csrs " #csr ", %0" ::"r"((uint32_t)(bits)))
#define csr_clear(csr, bits) __asm__ volatile("csrc " #csr ", %0" ::"r"((uint32_t)(bits)))

/* RAM range from the FDT, for checking DBCN buffers (physical addresses, SBI 12.1). */
static uint32_t ram_base, ram_end;

static void uart_putc(uint8_t c) {
  while ((UART[UART_LSR] & LSR_THRE) == 0) {
  }
  UART[UART_THR] = c;
}

static int uart_getc(void) { return (UART[UART_LSR] & LSR_DR) ? UART[UART_RBR] : -1; }

static void uart_puts(const char *s) {
  while (*s) uart_putc((uint8_t)*s++);
}

static void uart_hex(uint32_t v) {
  for (int shift = 28; shift >= 0; shift -= 4) uart_putc((uint8_t)"0123456789abcdef"[(v >> shift) & 15]);
}

/* Powers off (status 0 = pass) or resets through the sifive_test finisher. */
static _Noreturn void finish(uint32_t command) {
  /* Let the transmitter drain first: QEMU's 16550 can still hold the last byte (THRE set, TEMT
   * not yet) when its write to the host was put off, and powering off then loses it. */
  while ((UART[UART_LSR] & LSR_TEMT) == 0) {
  }
  *FINISHER = command;
  for (;;) __asm__ volatile("wfi");
}

static _Noreturn void power_off(uint32_t status) {
  finish(status == 0 ? FINISHER_PASS : (status & 0xffffu) << 16 | FINISHER_FAIL);
}

/* ---- FDT (devicetree specification v0.4, chapter 5): find the /memory node's reg. ---- */

static uint32_t be32(const void *p) {
  const uint8_t *b = p;
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int name_is(const char *a, const char *b) {
  while (*b && *a == *b) a++, b++;
  return *b == '\0' && (*a == '\0' || *a == '@');
}

static int str_eq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

static void fdt_find_memory(uint32_t fdt) {
  ram_base = 0x80000000u;
  ram_end = 0x80000000u + (128u << 20); /* QEMU's default when there is no usable FDT */
  if (fdt == 0 || be32((void *)fdt) != FDT_MAGIC) return;
  const uint8_t *structs = (const uint8_t *)(fdt + be32((void *)(fdt + 8)));
  const char *strings = (const char *)(fdt + be32((void *)(fdt + 12)));
  uint32_t address_cells = 2, size_cells = 1;
  int depth = 0, in_memory = 0;
  const uint8_t *p = structs;
  for (int guard = 0; guard < 100000; guard++) {
    uint32_t token = be32(p);
    p += 4;
    if (token == FDT_BEGIN_NODE) {
      const char *name = (const char *)p;
      uint32_t len = 0;
      while (name[len]) len++;
      p += (len + 4) & ~3u;
      depth++;
      in_memory = depth == 2 && name_is(name, "memory");
    } else if (token == FDT_END_NODE) {
      depth--;
      in_memory = 0;
    } else if (token == FDT_PROP) {
      uint32_t len = be32(p), nameoff = be32(p + 4);
      const uint8_t *value = p + 8;
      p += 8 + ((len + 3) & ~3u);
      const char *prop = strings + nameoff;
      if (depth == 1 && str_eq(prop, "#address-cells")) address_cells = be32(value);
      if (depth == 1 && str_eq(prop, "#size-cells")) size_cells = be32(value);
      if (in_memory && str_eq(prop, "reg") && len >= 4 * (address_cells + size_cells)) {
        /* 32-bit physical addresses: take the low cell of each. */
        uint32_t base = be32(value + 4 * (address_cells - 1));
        uint32_t size = be32(value + 4 * (address_cells + size_cells - 1));
        if (size_cells == 2 && be32(value + 4 * address_cells) != 0) size = 0u - base; /* >= 4 GiB */
        ram_base = base;
        ram_end = base + size < base ? 0xfffff000u : base + size;
        return;
      }
    } else if (token == FDT_NOP) {
      continue;
    } else {
      return; /* FDT_END or a malformed tree */
    }
  }
}

/* ---- Boot ---- */

_Noreturn void firmware_main(uint32_t hart, uint32_t fdt) {
  fdt_find_memory(fdt);
  /* priv 3.1.8: delegate every exception S-mode can handle itself — all but ecall from S and M
   * (SBI calls and firmware bugs) — and the supervisor interrupts. */
  csr_write(medeleg, 0xb1ffu); /* causes 0-8, 12, 13, 15 */
  csr_write(mideleg, MIP_SSIP | MIP_STIP | MIP_SEIP);
  /* priv 3.1.11: S and U may read cycle, time and instret. */
  csr_write(mcounteren, 7);
  /* priv 3.7: one NAPOT entry over the whole address space with R, W, X for S and U
   * (all-ones pmpaddr covers everything). */
  csr_write(pmpaddr0, 0xffffffffu);
  csr_write(pmpcfg0, 0x1fu);
  csr_write(mie, 0);
  csr_write(mip, 0);
  csr_write(satp, 0);
  /* Enter the kernel in S-mode with a0 = hart id, a1 = FDT (the Linux RISC-V boot protocol). */
  uint32_t mstatus = csr_read(mstatus);
  csr_write(mstatus, (mstatus & ~MSTATUS_MPP_MASK) | MSTATUS_MPP_S);
  csr_write(mepc, KERNEL_ENTRY);
  register uint32_t a0 __asm__("a0") = hart;
  register uint32_t a1 __asm__("a1") = fdt;
  __asm__ volatile("mret" ::"r"(a0), "r"(a1));
  __builtin_unreachable();
}

/* ---- SBI calls ---- */

struct sbiret {
  int32_t error;
  uint32_t value;
};

static struct sbiret ok(uint32_t value) { return (struct sbiret){SBI_SUCCESS, value}; }
static struct sbiret fail(int32_t error) { return (struct sbiret){error, 0}; }

static uint32_t probe(uint32_t eid) {
  switch (eid) {
  case SBI_EXT_LEGACY_SET_TIMER:
  case SBI_EXT_LEGACY_PUTCHAR:
  case SBI_EXT_LEGACY_GETCHAR:
  case SBI_EXT_LEGACY_SHUTDOWN:
  case SBI_EXT_BASE:
  case SBI_EXT_TIME:
  case SBI_EXT_SRST:
  case SBI_EXT_DBCN:
    return 1;
  default:
    return 0;
  }
}

static struct sbiret base_call(uint32_t fid, uint32_t arg) {
  switch (fid) {
  case SBI_BASE_GET_SPEC_VERSION: return ok(VL_SBI_SPEC_VERSION);
  case SBI_BASE_GET_IMPL_ID: return ok(VL_SBI_IMPL_ID);
  case SBI_BASE_GET_IMPL_VERSION: return ok(VL_SBI_IMPL_VERSION);
  case SBI_BASE_PROBE_EXTENSION: return ok(probe(arg));
  case SBI_BASE_GET_MVENDORID: return ok(csr_read(mvendorid));
  case SBI_BASE_GET_MARCHID: return ok(csr_read(marchid));
  case SBI_BASE_GET_MIMPID: return ok(csr_read(mimpid));
  default: return fail(SBI_ERR_NOT_SUPPORTED);
  }
}

/* TIME 6.1: program the next timer event and clear the pending supervisor timer interrupt;
 * the machine timer interrupt is turned into STIP when it fires (see sbi_trap). */
static void set_timer(uint32_t hart, uint32_t lo, uint32_t hi) {
  volatile uint32_t *cmp = CLINT_MTIMECMP(hart);
  cmp[1] = 0xffffffffu; /* no spurious match while the halves are written */
  cmp[0] = lo;
  cmp[1] = hi;
  csr_clear(mip, MIP_STIP);
  csr_set(mie, MIP_MTIP);
}

static struct sbiret srst_call(uint32_t fid, uint32_t type, uint32_t reason) {
  if (fid != 0) return fail(SBI_ERR_NOT_SUPPORTED);
  /* SRST 10.1: types above warm reboot are reserved or vendor-specific. */
  if (type > SBI_SRST_WARM_REBOOT) return fail(type >= 0xf0000000u ? SBI_ERR_NOT_SUPPORTED : SBI_ERR_INVALID_PARAM);
  uint32_t status;
  if (reason == SBI_SRST_REASON_NONE) status = 0;
  else if (reason == SBI_SRST_REASON_FAILURE) status = 1;
  else if ((reason & 0xf0000000u) == VL_SRST_REASON_STATUS && (reason & 0x0fffffffu) <= 0xffffu) status = reason & 0xffffu;
  else if (reason >= 0xf0000000u) status = 1; /* vendor-specific: treated as a failure */
  else return fail(SBI_ERR_INVALID_PARAM);
  if (type == SBI_SRST_SHUTDOWN) power_off(status);
  finish(FINISHER_RESET);
}

/* DBCN 12.1-12.3: the buffer is physical memory and must lie inside RAM. */
static int buffer_ok(uint32_t n, uint32_t lo, uint32_t hi) {
  return hi == 0 && lo >= ram_base && lo <= ram_end && n <= ram_end - lo;
}

static struct sbiret dbcn_call(uint32_t fid, uint32_t a0, uint32_t a1, uint32_t a2) {
  switch (fid) {
  case SBI_DBCN_WRITE: {
    if (!buffer_ok(a0, a1, a2)) return fail(SBI_ERR_INVALID_PARAM);
    const uint8_t *p = (const uint8_t *)a1;
    for (uint32_t i = 0; i < a0; i++) uart_putc(p[i]);
    return ok(a0);
  }
  case SBI_DBCN_READ: {
    if (!buffer_ok(a0, a1, a2)) return fail(SBI_ERR_INVALID_PARAM);
    uint8_t *p = (uint8_t *)a1;
    uint32_t got = 0;
    for (int c; got < a0 && (c = uart_getc()) >= 0;) p[got++] = (uint8_t)c;
    return ok(got);
  }
  case SBI_DBCN_WRITE_BYTE:
    uart_putc((uint8_t)a0);
    return ok(0);
  default:
    return fail(SBI_ERR_NOT_SUPPORTED);
  }
}

static void ecall(struct trap_frame *f, uint32_t hart) {
  uint32_t eid = f->x[REG_A7], fid = f->x[REG_A6];
  uint32_t a0 = f->x[REG_A0], a1 = f->x[REG_A1], a2 = f->x[REG_A2];
  /* Legacy extensions (SBI 5) return their value in a0 alone. */
  switch (eid) {
  case SBI_EXT_LEGACY_SET_TIMER:
    set_timer(hart, a0, a1);
    f->x[REG_A0] = 0;
    return;
  case SBI_EXT_LEGACY_PUTCHAR:
    uart_putc((uint8_t)a0);
    f->x[REG_A0] = 0;
    return;
  case SBI_EXT_LEGACY_GETCHAR:
    f->x[REG_A0] = (uint32_t)uart_getc();
    return;
  case SBI_EXT_LEGACY_SHUTDOWN:
    power_off(0);
  default:
    break;
  }
  struct sbiret r;
  switch (eid) {
  case SBI_EXT_BASE: r = base_call(fid, a0); break;
  case SBI_EXT_TIME:
    if (fid == 0) {
      set_timer(hart, a0, a1);
      r = ok(0);
    } else {
      r = fail(SBI_ERR_NOT_SUPPORTED);
    }
    break;
  case SBI_EXT_SRST: r = srst_call(fid, a0, a1); break;
  case SBI_EXT_DBCN: r = dbcn_call(fid, a0, a1, a2); break;
  default: r = fail(SBI_ERR_NOT_SUPPORTED); break;
  }
  f->x[REG_A0] = (uint32_t)r.error;
  f->x[REG_A1] = r.value;
}

void sbi_trap(struct trap_frame *f) {
  uint32_t cause = csr_read(mcause);
  uint32_t hart = csr_read(mhartid);
  if (cause == (MCAUSE_INTERRUPT | IRQ_M_TIMER)) {
    /* Pass the timer to S-mode: mask MTIP until the next set_timer, raise STIP. */
    csr_clear(mie, MIP_MTIP);
    csr_set(mip, MIP_STIP);
    return;
  }
  if (cause == EXC_ECALL_S) {
    csr_write(mepc, csr_read(mepc) + 4);
    ecall(f, hart);
    return;
  }
  /* Anything else was not delegated because S cannot handle it: a firmware bug, or a trap
   * from M-mode itself. Report it and power off with a failure status. */
  uart_puts("firmware: unexpected trap mcause 0x");
  uart_hex(cause);
  uart_puts(" mepc 0x");
  uart_hex(csr_read(mepc));
  uart_puts(" mtval 0x");
  uart_hex(csr_read(mtval));
  uart_puts("\n");
  power_off(0xfe);
}
