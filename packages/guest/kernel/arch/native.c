// Native arch layer: the kernel running in S-mode on the hart (QEMU virt or the lab board),
// with an SBI firmware below it. This file is the only place in the kernel that executes
// privileged instructions (CSR access, sret, sfence.vma, wfi) or SBI ecalls; a test disassembles
// the kernel and checks that. arch/para.c will implement arch.h with hypercalls instead.
#include "arch.h"

// SBI extension ids and function ids (RISC-V SBI spec v2.0, chapters 3, 6, 10, 12; legacy 5).
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434E
#define SBI_LEGACY_PUTCHAR 1
#define SBI_LEGACY_GETCHAR 2
#define SBI_LEGACY_SHUTDOWN 8

// sstatus bits (priv 4.1.1)
#define SSTATUS_SIE (1u << 1)
#define SSTATUS_SPIE (1u << 5)
#define SSTATUS_SPP (1u << 8)
#define SIE_STIE (1u << 5)

struct sbiret {
  long error;
  long value;
};

static struct sbiret sbi_call(u32 ext, u32 fid, u32 a0, u32 a1, u32 a2) {
  register u32 r0 __asm__("a0") = a0;
  register u32 r1 __asm__("a1") = a1;
  register u32 r2 __asm__("a2") = a2;
  register u32 r6 __asm__("a6") = fid;
  register u32 r7 __asm__("a7") = ext;
  __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
  struct sbiret ret = {(long)r0, (long)r1};
  return ret;
}

static int have_dbcn;
static int have_srst;
static int have_time_ext;

// Boot: a0 = hart id, a1 = FDT; a boot stack, then C. The kernel is linked and loaded at
// 0x8040_0000 and runs with the identity mapping until kmain turns paging on.
__asm__(".section .text.boot, \"ax\"\n"
        ".globl _start\n"
        "_start:\n"
        "  la sp, boot_stack_top\n"
        "  call kmain\n"
        "1: j 1b\n"
        ".text\n");

// Trap vector (direct mode). sscratch holds the current process's trapframe while in U-mode
// and 0 while in the kernel, so one swap tells where the trap came from.
__asm__(".text\n"
        ".balign 4\n"
        ".globl arch_trap_vector\n"
        "arch_trap_vector:\n"
        "  csrrw sp, sscratch, sp\n"
        "  beqz sp, 1f\n"
        "  sw x1, 4(sp)\n  sw x3, 12(sp)\n  sw x4, 16(sp)\n  sw x5, 20(sp)\n"
        "  sw x6, 24(sp)\n  sw x7, 28(sp)\n  sw x8, 32(sp)\n  sw x9, 36(sp)\n"
        "  sw x10, 40(sp)\n  sw x11, 44(sp)\n  sw x12, 48(sp)\n  sw x13, 52(sp)\n"
        "  sw x14, 56(sp)\n  sw x15, 60(sp)\n  sw x16, 64(sp)\n  sw x17, 68(sp)\n"
        "  sw x18, 72(sp)\n  sw x19, 76(sp)\n  sw x20, 80(sp)\n  sw x21, 84(sp)\n"
        "  sw x22, 88(sp)\n  sw x23, 92(sp)\n  sw x24, 96(sp)\n  sw x25, 100(sp)\n"
        "  sw x26, 104(sp)\n  sw x27, 108(sp)\n  sw x28, 112(sp)\n  sw x29, 116(sp)\n"
        "  sw x30, 120(sp)\n  sw x31, 124(sp)\n"
        "  csrr t0, sscratch\n  sw t0, 8(sp)\n"
        "  csrr t0, sepc\n  sw t0, 128(sp)\n"
        "  csrr t0, scause\n  sw t0, 132(sp)\n"
        "  csrr t0, stval\n  sw t0, 136(sp)\n"
        "  csrw sscratch, zero\n"
        "  mv a0, sp\n"
        "  call trap_user\n"
        "2: j 2b\n"
        "1:\n"
        "  csrrw sp, sscratch, sp\n"
        "  csrr a0, scause\n  csrr a1, sepc\n  csrr a2, stval\n"
        "  call trap_kernel\n"
        "3: j 3b\n");

// Restore the user registers from tf and sret to U-mode with interrupts enabled there.
__asm__(".text\n"
        ".globl arch_return_to_user\n"
        "arch_return_to_user:\n"
        "  csrci sstatus, 2\n"
        "  li t0, 0x100\n  csrc sstatus, t0\n"
        "  li t0, 0x20\n  csrs sstatus, t0\n"
        "  lw t0, 128(a0)\n  csrw sepc, t0\n"
        "  csrw sscratch, a0\n"
        "  lw x1, 4(a0)\n  lw x2, 8(a0)\n  lw x3, 12(a0)\n  lw x4, 16(a0)\n"
        "  lw x5, 20(a0)\n  lw x6, 24(a0)\n  lw x7, 28(a0)\n  lw x8, 32(a0)\n"
        "  lw x9, 36(a0)\n  lw x11, 44(a0)\n  lw x12, 48(a0)\n  lw x13, 52(a0)\n"
        "  lw x14, 56(a0)\n  lw x15, 60(a0)\n  lw x16, 64(a0)\n  lw x17, 68(a0)\n"
        "  lw x18, 72(a0)\n  lw x19, 76(a0)\n  lw x20, 80(a0)\n  lw x21, 84(a0)\n"
        "  lw x22, 88(a0)\n  lw x23, 92(a0)\n  lw x24, 96(a0)\n  lw x25, 100(a0)\n"
        "  lw x26, 104(a0)\n  lw x27, 108(a0)\n  lw x28, 112(a0)\n  lw x29, 116(a0)\n"
        "  lw x30, 120(a0)\n  lw x31, 124(a0)\n"
        "  lw x10, 40(a0)\n"
        "  sret\n");

#include "context-switch.h"

extern char arch_trap_vector[];

void arch_init(void) {
  __asm__ volatile("csrw sscratch, zero");
  __asm__ volatile("csrw stvec, %0" ::"r"(arch_trap_vector));
  // Interrupts stay globally disabled in S-mode; U-mode always takes enabled S interrupts.
  __asm__ volatile("csrc sstatus, %0" ::"r"(SSTATUS_SIE));
  __asm__ volatile("csrw sie, %0" ::"r"(SIE_STIE));
  // Let user programs read cycle, time and instret (priv 4.1.5, scounteren).
  __asm__ volatile("csrw scounteren, %0" ::"r"(7));
  have_time_ext = sbi_call(SBI_EXT_BASE, 3, SBI_EXT_TIME, 0, 0).value != 0;
  have_srst = sbi_call(SBI_EXT_BASE, 3, SBI_EXT_SRST, 0, 0).value != 0;
  have_dbcn = sbi_call(SBI_EXT_BASE, 3, SBI_EXT_DBCN, 0, 0).value != 0;
}

void arch_pte_set(u32 *pte, u32 value) { *pte = value; }

void arch_set_page_table(u32 root_ppn) {
  u32 satp = (1u << 31) | root_ppn;  // MODE = Sv32 (priv 4.1.11)
  __asm__ volatile("csrw satp, %0\n sfence.vma zero, zero" ::"r"(satp) : "memory");
}

void arch_flush_page(u32 va) { __asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory"); }

void arch_flush_all(void) { __asm__ volatile("sfence.vma zero, zero" ::: "memory"); }

void arch_wait_for_interrupt(void) { __asm__ volatile("wfi" ::: "memory"); }

#include "time-csr.h"

void arch_set_timer(u64 when) {
  if (have_time_ext)
    sbi_call(SBI_EXT_TIME, 0, (u32)when, (u32)(when >> 32), 0);
  else
    sbi_call(0, 0, (u32)when, (u32)(when >> 32), 0);
}

void arch_console_write(const char *s, u32 n) {
  // The kernel runs identity-mapped, so a kernel address is the physical address DBCN wants.
  while (n > 0 && have_dbcn) {
    struct sbiret r = sbi_call(SBI_EXT_DBCN, 0, n, (u32)s, 0);
    if (r.error != 0) break;
    s += r.value;
    n -= (u32)r.value;
  }
  for (u32 i = 0; i < n; i++) sbi_call(SBI_LEGACY_PUTCHAR, 0, (u8)s[i], 0, 0);
}

int arch_console_getchar(void) {
  struct sbiret r = sbi_call(SBI_LEGACY_GETCHAR, 0, 0, 0, 0);
  return r.error < 0 ? -1 : (int)(r.error & 0xff);
}

// The project firmware's SBI-implementation-specific reset reason (0xE000_0000 + status, SBI
// 10.1 table 45): the exact exit status reaches the finisher. Other firmware refuses it.
#define VL_SRST_REASON_STATUS 0xE0000000u

void arch_poweroff(int status) {
  // SRST system shutdown; the reason says whether this is a failure (SBI 10.1).
  if (have_srst && status != 0) sbi_call(SBI_EXT_SRST, 0, 0, VL_SRST_REASON_STATUS | ((u32)status & 0xffff), 0);
  if (have_srst) sbi_call(SBI_EXT_SRST, 0, 0, status == 0 ? 0 : 1, 0);
  sbi_call(SBI_LEGACY_SHUTDOWN, 0, 0, 0, 0);
  arch_halt();
}

void arch_halt(void) {
  for (;;) __asm__ volatile("wfi");
}
