// The arch layer: every privileged operation of the kernel goes through these functions.
// arch/native.c implements them with CSR instructions, sret, sfence.vma, wfi and SBI ecalls;
// a para-virtualized arch/para.c can implement the same header with hypercalls.
#ifndef ARCH_H
#define ARCH_H

#include "../types.h"

// Saved user registers; x[0] holds nothing, x[2] is the user sp. Layout is shared with the
// trap entry in arch/native.c (offsets are index * 4).
struct trapframe {
  u32 x[32];
  u32 pc;     // user pc to resume at (sepc)
  u32 cause;  // scause of the trap that entered the kernel
  u32 tval;   // stval of that trap
  u32 pad;
};

// Callee-saved registers of a kernel thread (ra, sp, s0..s11) for arch_switch.
struct context {
  u32 ra, sp, s[12];
};

// Trap causes the kernel distinguishes (priv 4.1.9, scause).
#define CAUSE_INTERRUPT 0x80000000u
#define IRQ_S_TIMER 5
#define EXC_INSN_MISALIGNED 0
#define EXC_INSN_ACCESS 1
#define EXC_ILLEGAL 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_INSN_PAGE 12
#define EXC_LOAD_PAGE 13
#define EXC_STORE_PAGE 15

// Boot: set up the trap vector, counters for U-mode, and the timer interrupt enable.
void arch_init(void);
// Enter the user context in tf (sret); never returns. sscratch is pointed at tf.
__attribute__((noreturn)) void arch_return_to_user(struct trapframe *tf);
// Switch kernel threads: save callee-saved state into old, resume new.
void arch_switch(struct context *old, struct context *new_);
// Every write of a page-table entry (leaf or directory) goes through here: natively a store;
// a para-virtualized layer validates and batches it with the hypervisor (Xen's mmu_update).
void arch_pte_set(u32 *pte, u32 value);
// Install a root page table (physical page number) and flush the TLB.
void arch_set_page_table(u32 root_ppn);
// Flush the TLB entry for one virtual address (after a PTE changed) / all entries.
void arch_flush_page(u32 va);
void arch_flush_all(void);
// Sleep until an enabled interrupt is pending (interrupts stay globally off in the kernel).
void arch_wait_for_interrupt(void);
// The platform timer (the `time` CSR) and the SBI timer.
u64 arch_time(void);
void arch_set_timer(u64 when);
// Console through SBI.
void arch_console_write(const char *s, u32 n);
int arch_console_getchar(void);  // -1 when nothing is waiting
// Power off with an exit status through SBI SRST; never returns.
__attribute__((noreturn)) void arch_poweroff(int status);
// Kernel panic support: stop everything.
__attribute__((noreturn)) void arch_halt(void);

// A batch point: the arch_pte_set and arch_flush_page calls between begin and end may be
// deferred until end (the para layer sends them as one multicall). Code inside a batch must not
// read back an entry it wrote in the same batch.
// arch_page_table_release: the page tables of root (the root and its second-level tables) are
// about to be freed; afterwards they are ordinary memory again (the para layer unpins them).
#ifdef ARCH_PARA
void arch_pte_batch_begin(void);
void arch_pte_batch_end(void);
void arch_page_table_release(u32 *root);
#else
// The native layer's hooks are inline, so the native kernel compiles exactly as it did before
// they existed: no batching, nothing to release.
static inline void arch_pte_batch_begin(void) {}
static inline void arch_pte_batch_end(void) {}
static inline void arch_page_table_release(u32 *root) { (void)root; }
#endif

// Entry from the trap vector (implemented in trap.c): user traps and kernel traps.
void trap_user(struct trapframe *tf);
void trap_kernel(u32 cause, u32 epc, u32 tval);
// Kernel C entry (main.c), called by the boot code with a0 = hart id, a1 = FDT.
__attribute__((noreturn)) void kmain(u32 hartid, u32 fdt);

#endif
