/**
 * The hypercall ABI, the numbers of the guest's kernel/arch/para-abi.h (the C side): an ecall from
 * the guest kernel with the extension id in a7 (SBI 2.0 chapter 3: 0x0A00_0000-0x0AFF_FFFF is the
 * firmware-specific range), the function id in a6, arguments in a0-a5; the error in a0 (SBI
 * error codes, SBI 2.0 table 1) and a value in a1. The README documents each call.
 */
export const PARA_EID = 0x0a58_5650; // "XVP"

export const HC = {
  set_callbacks: 0,
  iret: 1,
  set_timer: 2,
  console_write: 3,
  console_read: 4,
  mmu_update: 5,
  pin_table: 6,
  unpin_table: 7,
  new_baseptr: 8,
  tlb_flush: 9,
  evtchn_send: 10,
  evtchn_unmask: 11,
  sched_op: 12,
  multicall: 13,
  blk_connect: 14,
} as const;

export type HypercallName = keyof typeof HC;
export const HYPERCALL_NAMES = Object.keys(HC) as HypercallName[];
export const HYPERCALL_BY_ID: readonly HypercallName[] = HYPERCALL_NAMES.slice().sort((a, b) => HC[a] - HC[b]);

export const SCHED = { yield: 0, block: 1, shutdown: 2 } as const;
/** SCHED_SHUTDOWN's status for a crashed kernel (arch_halt); the run ends with exit code 255. */
export const SHUTDOWN_CRASH = 0x100;
export const CRASH_EXIT_CODE = 255;

/** SBI error codes (SBI 2.0, table 1). */
export const ERR = {
  success: 0,
  failed: -1,
  not_supported: -2,
  invalid_param: -3,
  denied: -4,
  invalid_address: -5,
} as const;

/** Event-channel ports. */
export const PORT = { timer: 0, block: 1 } as const;
export const PORT_COUNT = 32;

/** The shared-info page: word offsets in bytes. */
export const SHARED = { pending: 0, mask: 4, upcall_mask: 8, upcalls: 12 } as const;

/** The cause an event upcall presents to the trap entry (an interrupt number above the standard ones). */
export const CAUSE_EVENT = 0x8000_0010;

/** The trapframe (kernel/arch/arch.h): x0..x31 at 4*i, then pc, cause, tval. */
export const TRAPFRAME = { pc: 128, cause: 132, tval: 136, size: 144 } as const;

/** One mmu_update request: {pte address, value}. */
export const MMU_UPDATE_SIZE = 8;
/** One multicall entry: fid, five arguments, then error and value written back. */
export const MULTICALL = { size: 32, error: 24, value: 28, maxEntries: 64 } as const;
/** At most this many PTE updates in one mmu_update (bounds the hypervisor's time per call). */
export const MMU_UPDATE_MAX = 1024;

/** The block ring page (kernel/arch/para-abi.h, struct blk_ring). */
export const BLK = {
  ringSize: 32,
  reqProd: 0,
  rspProd: 4,
  req: 64,
  reqSize: 24,
  rsp: 64 + 32 * 24,
  rspSize: 8,
  opRead: 0,
  opWrite: 1,
  maxSectors: 8,
} as const;

/** Sv32 PTE bits (priv 4.3.1). */
export const PTE = { V: 1, R: 2, W: 4, X: 8, U: 16, G: 32, A: 64, D: 128 } as const;
