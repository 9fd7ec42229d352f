// Para-virtualized arch layer: the same kernel running in U-mode under the vmm-para hypervisor
// (packages/vmm-para), Xen-style. Every privileged operation of arch.h becomes a hypercall (the
// ABI is in para-abi.h); the kernel's page tables are the tables the hart walks, read-only to the
// kernel once they are live, so every update of a live table goes through mmu_update, batched at
// the kernel's batch points. Traps and events arrive through callbacks the hypervisor enters
// with the user state already saved in the process's trapframe.
#include "../kernel.h"
#include "para-abi.h"

struct hcret para_hcall(u32 fid, u32 a0, u32 a1, u32 a2) {
  register u32 r0 __asm__("a0") = a0;
  register u32 r1 __asm__("a1") = a1;
  register u32 r2 __asm__("a2") = a2;
  register u32 r6 __asm__("a6") = fid;
  register u32 r7 __asm__("a7") = PARA_EID;
  __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
  struct hcret ret = {(i32)r0, r1};
  return ret;
}

// Boot: the hypervisor enters here in the kernel view (all of the domain's RAM identity-mapped,
// page-table pages read-only) with a0 = hart id, a1 = the device tree, as the firmware would.
__asm__(".section .text.boot, \"ax\"\n"
        ".globl _start\n"
        "_start:\n"
        "  la sp, boot_stack_top\n"
        "  call kmain\n"
        "1: j 1b\n"
        ".text\n");

// The trap callback: the hypervisor saved the user registers, pc, cause and tval into the
// trapframe that HC_IRET last resumed, and enters with sp = a0 = that trapframe.
// The kernel-fault callback: a fault of the kernel itself, a0 = cause, a1 = pc, a2 = tval.
__asm__(".text\n"
        ".balign 4\n"
        "para_trap_entry:\n"
        "  call para_user_trap\n"
        "1: j 1b\n"
        ".balign 4\n"
        "para_fault_entry:\n"
        "  call trap_kernel\n"
        "2: j 2b\n");

#include "context-switch.h"

extern char para_trap_entry[], para_fault_entry[];
void para_user_trap(struct trapframe *tf);

struct para_shared_info para_shared __attribute__((aligned(4096)));

// What the kernel knows of its live page tables: 2 for a pinned root, 1 for a second-level table
// referenced from one, 0 for ordinary memory (written directly).
#define MAX_FRAMES ((256u << 20) / PAGE_SIZE)
static u8 table_level[MAX_FRAMES];

static u8 *level_of(u32 pa) {
  static u8 none;
  u32 f = (pa - KERNEL_BASE) / PAGE_SIZE;
  if (pa < KERNEL_BASE || f >= MAX_FRAMES) {
    none = 0;
    return &none;
  }
  return &table_level[f];
}

static int is_table_pointer(u32 pte) { return (pte & PTE_V) && !(pte & (PTE_R | PTE_W | PTE_X)); }
static u32 pte_addr(u32 pte) { return (pte >> 10) << 12; }

void arch_init(void) {
  struct hcret r = para_hcall(HC_SET_CALLBACKS, (u32)para_trap_entry, (u32)para_fault_entry, (u32)&para_shared);
  if (r.error) arch_halt();
  // The block ring is polled by the driver while it waits (SCHED_BLOCK), never an upcall.
  para_shared.mask = 1u << PORT_BLOCK;
}

// An event upcall becomes the interrupt the kernel's trap code knows (the timer's), or nothing.
void para_user_trap(struct trapframe *tf) {
  if (tf->cause == PARA_CAUSE_EVENT) {
    u32 fired = para_shared.pending & ~para_shared.mask;
    __atomic_fetch_and(&para_shared.pending, ~fired, __ATOMIC_SEQ_CST);
    tf->cause = (fired & (1u << PORT_TIMER)) ? (CAUSE_INTERRUPT | IRQ_S_TIMER) : PARA_CAUSE_EVENT;
  }
  trap_user(tf);
}

void arch_return_to_user(struct trapframe *tf) {
  para_hcall(HC_IRET, (u32)tf, 0, 0);
  panic("iret refused the trapframe at 0x%p", (u32)tf);
}

// --- page tables ---------------------------------------------------------------------------

#define BATCH_MAX 64
#define BATCH_FLUSHES 8
static struct para_mmu_update batch[BATCH_MAX];
static u32 batch_len, batch_depth, batch_flush[BATCH_FLUSHES], batch_nflush, batch_flush_all;
static void batch_send(void);

static void mmu_update(struct para_mmu_update *reqs, u32 n) {
  struct hcret r = para_hcall(HC_MMU_UPDATE, (u32)reqs, n, 0);
  if (r.error) panic("mmu_update refused entry %u of %u (PTE at 0x%p = 0x%x): error %d", r.value, n, reqs[r.value].ptr, reqs[r.value].val, r.error);
}

// Keeps table_level in step with an entry written into a live table.
static void track(u32 *pte, u32 old, u32 value) {
  if (*level_of((u32)pte) != 2) return;
  if (is_table_pointer(old)) *level_of(pte_addr(old)) = 0;
  if (is_table_pointer(value)) *level_of(pte_addr(value)) = 1;
}

void arch_pte_set(u32 *pte, u32 value) {
  u32 index = ((u32)pte & (PAGE_SIZE - 1)) / 4;
  // The kernel half of every address space is the hypervisor's (its direct map of the
  // domain): the boot-time identity megapages mm_init writes into the kernel root have no
  // place here, and mm_create copies nothing from it.
  if ((u32)pte - (u32)kernel_root() < PAGE_SIZE && (index >= (KERNEL_BASE >> 22) || index == (0x10000000u >> 22))) return;
  if (!*level_of((u32)pte)) {  // not a live table: ordinary memory
    *pte = value;
    return;
  }
  track(pte, *pte, value);
  if (batch_depth) {
    if (batch_len == BATCH_MAX) batch_send();
    batch[batch_len].ptr = (u32)pte;
    batch[batch_len].val = value;
    batch_len++;
    return;
  }
  struct para_mmu_update one = {(u32)pte, value};
  mmu_update(&one, 1);
}

// The batch goes out as one multicall: the updates in one mmu_update, then the flushes.
static void batch_send(void) {
  static struct para_multicall calls[1 + BATCH_FLUSHES];
  u32 n = 0;
  if (batch_len) {
    calls[n] = (struct para_multicall){HC_MMU_UPDATE, {(u32)batch, batch_len, 0, 0, 0}, 0, 0};
    n++;
  }
  if (batch_flush_all) {
    calls[n] = (struct para_multicall){HC_TLB_FLUSH, {0, 1, 0, 0, 0}, 0, 0};
    n++;
  } else {
    for (u32 i = 0; i < batch_nflush; i++) {
      calls[n] = (struct para_multicall){HC_TLB_FLUSH, {batch_flush[i], 0, 0, 0, 0}, 0, 0};
      n++;
    }
  }
  if (n == 1 && batch_len) {
    mmu_update(batch, batch_len);
  } else if (n) {
    struct hcret r = para_hcall(HC_MULTICALL, (u32)calls, n, 0);
    if (r.error || calls[0].error) panic("multicall of %u refused: error %d, first call %d", n, r.error, calls[0].error);
  }
  batch_len = batch_nflush = batch_flush_all = 0;
}

void arch_pte_batch_begin(void) { batch_depth++; }

void arch_pte_batch_end(void) {
  if (batch_depth > 0 && --batch_depth == 0) batch_send();
}

// A root goes live (pinned: validated and made read-only with its tables) when first installed.
void arch_set_page_table(u32 root_ppn) {
  u32 *root = (u32 *)(root_ppn << 12);
  static struct para_multicall calls[2];
  u32 n = 0;
  if (*level_of((u32)root) != 2) {
    for (u32 i = 0; i < KERNEL_BASE >> 22; i++)
      if (is_table_pointer(root[i])) *level_of(pte_addr(root[i])) = 1;
    *level_of((u32)root) = 2;
    calls[n++] = (struct para_multicall){HC_PIN_TABLE, {root_ppn, 2, 0, 0, 0}, 0, 0};
  }
  calls[n++] = (struct para_multicall){HC_NEW_BASEPTR, {root_ppn, 0, 0, 0, 0}, 0, 0};
  struct hcret r = para_hcall(HC_MULTICALL, (u32)calls, n, 0);
  if (r.error || calls[0].error || calls[n - 1].error) panic("cannot install the page table at 0x%p: error %d/%d", (u32)root, calls[0].error, calls[n - 1].error);
}

void arch_page_table_release(u32 *root) {
  if (*level_of((u32)root) != 2) return;  // never installed: ordinary memory all along
  struct hcret r = para_hcall(HC_UNPIN_TABLE, (u32)root >> 12, 0, 0);
  if (r.error) panic("cannot unpin the page table at 0x%p: error %d", (u32)root, r.error);
  for (u32 i = 0; i < KERNEL_BASE >> 22; i++)
    if (is_table_pointer(root[i])) *level_of(pte_addr(root[i])) = 0;
  *level_of((u32)root) = 0;
}

void arch_flush_page(u32 va) {
  if (batch_depth) {
    if (batch_nflush < BATCH_FLUSHES)
      batch_flush[batch_nflush++] = va;
    else
      batch_flush_all = 1;
    return;
  }
  para_hcall(HC_TLB_FLUSH, va, 0, 0);
}

void arch_flush_all(void) {
  if (batch_depth) {
    batch_flush_all = 1;
    return;
  }
  para_hcall(HC_TLB_FLUSH, 0, 1, 0);
}

// --- time, console, power ------------------------------------------------------------------

void arch_wait_for_interrupt(void) { para_hcall(HC_SCHED_OP, SCHED_BLOCK, 0, 0); }

#include "time-csr.h"

void arch_set_timer(u64 when) { para_hcall(HC_SET_TIMER, (u32)when, (u32)(when >> 32), 0); }

void arch_console_write(const char *s, u32 n) {
  while (n > 0) {
    struct hcret r = para_hcall(HC_CONSOLE_WRITE, (u32)s, n, 0);
    if (r.error || r.value == 0) return;
    s += r.value;
    n -= r.value;
  }
}

int arch_console_getchar(void) {
  struct hcret r = para_hcall(HC_CONSOLE_READ, 0, 0, 0);
  return r.error ? -1 : (int)(r.value & 0xff);
}

void arch_poweroff(int status) {
  para_hcall(HC_SCHED_OP, SCHED_SHUTDOWN, (u32)status & 0xff, 0);
  for (;;) para_hcall(HC_SCHED_OP, SCHED_BLOCK, 0, 0);
}

void arch_halt(void) {
  para_hcall(HC_SCHED_OP, SCHED_SHUTDOWN, SHUTDOWN_CRASH, 0);
  for (;;) para_hcall(HC_SCHED_OP, SCHED_BLOCK, 0, 0);
}
