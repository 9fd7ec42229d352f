// The hypercall ABI of vmm-para (packages/vmm-para/README.md documents it; src/abi.ts holds the
// same numbers for the hypervisor). A hypercall is an ecall from the guest kernel with the
// extension id in a7 (in SBI's firmware-specific range 0x0A00_0000-0x0AFF_FFFF, SBI 2.0 ch. 3),
// the function id in a6 and arguments in a0-a5; it returns an SBI error code in a0 and a value
// in a1 (SBI 2.0 ch. 3, table 1).
#ifndef PARA_ABI_H
#define PARA_ABI_H

#define PARA_EID 0x0A585650u  // "XVP"

struct hcret {
  i32 error;
  u32 value;
};
// One hypercall (arch/para.c), three arguments: all the para kernel needs.
struct hcret para_hcall(u32 fid, u32 a0, u32 a1, u32 a2);

#define HC_SET_CALLBACKS 0   // a0 trap entry, a1 kernel-fault entry, a2 shared-info page
#define HC_IRET 1            // a0 trapframe: resume the user context saved there
#define HC_SET_TIMER 2       // a0, a1: time (low, high); clears the timer event
#define HC_CONSOLE_WRITE 3   // a0 buffer, a1 length -> bytes written
#define HC_CONSOLE_READ 4    // -> a byte, or SBI_ERR_FAILED when none is waiting
#define HC_MMU_UPDATE 5      // a0 array of {pte address, value}, a1 count -> count done
#define HC_PIN_TABLE 6       // a0 page number, a1 level (1 or 2)
#define HC_UNPIN_TABLE 7     // a0 page number
#define HC_NEW_BASEPTR 8     // a0 page number of a pinned root (flushes the TLB)
#define HC_TLB_FLUSH 9       // a0 virtual address, a1 = 1: every address
#define HC_EVTCHN_SEND 10    // a0 port: notify the other end
#define HC_EVTCHN_UNMASK 11  // a0 port: clear its mask bit (an upcall follows if it is pending)
#define HC_SCHED_OP 12       // a0 SCHED_*, a1 status for SCHED_SHUTDOWN
#define HC_MULTICALL 13      // a0 array of struct para_multicall, a1 count -> count done
#define HC_BLK_CONNECT 14    // a0 ring page -> disk capacity in 512-byte sectors

#define SCHED_YIELD 0
#define SCHED_BLOCK 1     // return when any event is pending (masked or not)
#define SCHED_SHUTDOWN 2  // a1: exit status (0-255); SHUTDOWN_CRASH for a crash
#define SHUTDOWN_CRASH 0x100u

// Error codes in hcret.error are SBI's (SBI 2.0 ch. 3; firmware/sbi.h): 0 success, -1 failed,
// -2 not supported, -3 invalid parameter, -4 denied, -5 invalid address.

// Event channels (ports) and the shared-info page the guest registers.
#define PORT_TIMER 0
#define PORT_BLOCK 1
struct para_shared_info {
  u32 pending;      // bit per port: set by the hypervisor, cleared by the guest
  u32 mask;         // bit per port: a masked port never upcalls (SCHED_BLOCK still wakes)
  u32 upcall_mask;  // set by the hypervisor while the guest kernel runs (events masked there)
  u32 upcalls;      // upcalls delivered (the hypervisor counts them here too)
};

// The cause the trap entry sees for an event upcall (an interrupt number above the standard ones).
#define PARA_CAUSE_EVENT 0x80000010u

struct para_mmu_update {
  u32 ptr;  // physical address of the PTE (in a page pinned or referenced as a table)
  u32 val;  // the new PTE
};

struct para_multicall {
  u32 fid;
  u32 args[5];
  i32 error;  // written by the hypervisor
  u32 value;  // written by the hypervisor
};

// The block ring: one shared page (Xen's blkif idea): requests and responses with free-running
// producer indices; the front end consumes responses, the back end requests.
#define BLK_RING_SIZE 32
#define BLK_OP_READ 0
#define BLK_OP_WRITE 1
#define BLK_MAX_SECTORS 8  // one 4 KiB page per request
struct blk_request {
  u32 id;
  u32 op;
  u32 sector_lo, sector_hi;
  u32 nsect;
  u32 buf;  // physical address of the data, inside the domain
};
struct blk_response {
  u32 id;
  i32 status;  // 0, or an SBI error code
};
struct blk_ring {
  u32 req_prod;
  u32 rsp_prod;
  u32 pad[14];
  struct blk_request req[BLK_RING_SIZE];
  struct blk_response rsp[BLK_RING_SIZE];
};

#endif
