/**
 * CSR numbers and the fields the hart implements (priv 1.12, chapter 2 table 2.2-2.6, and
 * chapter 3). The privilege a CSR needs is encoded in its number (bits 9:8) and bits 11:10 = 3
 * mean read-only (priv 2.1); the checker and the disassembler read names from here.
 */

export const CSR = {
  // Unprivileged counters (Zicntr).
  cycle: 0xc00,
  time: 0xc01,
  instret: 0xc02,
  cycleh: 0xc80,
  timeh: 0xc81,
  instreth: 0xc82,
  // Supervisor.
  sstatus: 0x100,
  sie: 0x104,
  stvec: 0x105,
  scounteren: 0x106,
  senvcfg: 0x10a,
  sscratch: 0x140,
  sepc: 0x141,
  scause: 0x142,
  stval: 0x143,
  sip: 0x144,
  satp: 0x180,
  // Machine.
  mvendorid: 0xf11,
  marchid: 0xf12,
  mimpid: 0xf13,
  mhartid: 0xf14,
  mconfigptr: 0xf15,
  mstatus: 0x300,
  misa: 0x301,
  medeleg: 0x302,
  mideleg: 0x303,
  mie: 0x304,
  mtvec: 0x305,
  mcounteren: 0x306,
  menvcfg: 0x30a,
  mstatush: 0x310,
  menvcfgh: 0x31a,
  mcountinhibit: 0x320,
  mscratch: 0x340,
  mepc: 0x341,
  mcause: 0x342,
  mtval: 0x343,
  mip: 0x344,
  pmpcfg0: 0x3a0,
  pmpaddr0: 0x3b0,
  mcycle: 0xb00,
  minstret: 0xb02,
  mcycleh: 0xb80,
  minstreth: 0xb82,
} as const;

/** mstatus fields (priv 3.1.6). */
export const MSTATUS = {
  SIE: 1 << 1,
  MIE: 1 << 3,
  SPIE: 1 << 5,
  UBE: 1 << 6,
  MPIE: 1 << 7,
  SPP: 1 << 8,
  MPP: 3 << 11,
  MPRV: 1 << 17,
  SUM: 1 << 18,
  MXR: 1 << 19,
  TVM: 1 << 20,
  TW: 1 << 21,
  TSR: 1 << 22,
} as const;

export const MSTATUS_WRITABLE =
  MSTATUS.SIE | MSTATUS.MIE | MSTATUS.SPIE | MSTATUS.MPIE | MSTATUS.SPP | MSTATUS.MPP |
  MSTATUS.MPRV | MSTATUS.SUM | MSTATUS.MXR | MSTATUS.TVM | MSTATUS.TW | MSTATUS.TSR;
/** The view of mstatus that sstatus gives (priv 4.1.1). */
export const SSTATUS_MASK = MSTATUS.SIE | MSTATUS.SPIE | MSTATUS.UBE | MSTATUS.SPP | MSTATUS.SUM | MSTATUS.MXR;
export const SSTATUS_WRITABLE = MSTATUS.SIE | MSTATUS.SPIE | MSTATUS.SPP | MSTATUS.SUM | MSTATUS.MXR;

/** Interrupt bits of mip/mie (priv 3.1.9). */
export const IRQ = { SSI: 1, MSI: 3, STI: 5, MTI: 7, SEI: 9, MEI: 11 } as const;
/** Interrupts that S-mode can own (QEMU's `S_MODE_INTERRUPTS`). */
export const DELEGABLE_IRQS = (1 << IRQ.SSI) | (1 << IRQ.STI) | (1 << IRQ.SEI);
/** mip bits that software writes through mip (the rest follow device lines). */
export const MIP_WRITABLE = (1 << IRQ.SSI) | (1 << IRQ.STI) | (1 << IRQ.SEI);
export const ALL_IRQS = DELEGABLE_IRQS | (1 << IRQ.MSI) | (1 << IRQ.MTI) | (1 << IRQ.MEI);

/** Exception causes (priv 3.1.15, table 3.6). */
export const CAUSE = {
  misalignedFetch: 0,
  fetchAccess: 1,
  illegalInstruction: 2,
  breakpoint: 3,
  misalignedLoad: 4,
  loadAccess: 5,
  misalignedStore: 6,
  storeAccess: 7,
  ecallU: 8,
  ecallS: 9,
  ecallM: 11,
  fetchPageFault: 12,
  loadPageFault: 13,
  storePageFault: 15,
} as const;

/** medeleg bits that can be set: every exception except ecall from M (priv 3.1.8). */
export const DELEGABLE_EXCEPTIONS = 0xb3ff;

/** Stable counter-name suffixes for exception causes (`trap.<name>`). */
export const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  0: 'misaligned_fetch',
  1: 'fetch_access',
  2: 'illegal_instruction',
  3: 'breakpoint',
  4: 'misaligned_load',
  5: 'load_access',
  6: 'misaligned_store',
  7: 'store_access',
  8: 'ecall_u',
  9: 'ecall_s',
  11: 'ecall_m',
  12: 'fetch_page_fault',
  13: 'load_page_fault',
  15: 'store_page_fault',
};

/** Stable counter-name suffixes for interrupt causes (`irq.<name>`). */
export const INTERRUPT_NAMES: Readonly<Record<number, string>> = {
  1: 'ssoft',
  3: 'msoft',
  5: 'stimer',
  7: 'mtimer',
  9: 'sext',
  11: 'mext',
};

export const PRIV = { U: 0, S: 1, M: 3 } as const;
export type Privilege = 0 | 1 | 3;

/** misa for RV32 with A, I, M, S, U (priv 3.1.1). */
export const MISA = (1 << 30) | (1 << 0) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);

const NAMES = new Map<number, string>();
for (const [name, num] of Object.entries(CSR)) NAMES.set(num, name);
for (let i = 1; i < 4; i++) NAMES.set(CSR.pmpcfg0 + i, `pmpcfg${i}`);
for (let i = 1; i < 16; i++) NAMES.set(CSR.pmpaddr0 + i, `pmpaddr${i}`);
for (let i = 3; i < 32; i++) {
  NAMES.set(0xc00 + i, `hpmcounter${i}`);
  NAMES.set(0xc80 + i, `hpmcounter${i}h`);
  NAMES.set(0xb00 + i, `mhpmcounter${i}`);
  NAMES.set(0xb80 + i, `mhpmcounter${i}h`);
  NAMES.set(0x320 + i, `mhpmevent${i}`);
}

/** Every CSR number the hart implements. */
export const IMPLEMENTED_CSRS: readonly number[] = [...NAMES.keys()].sort((a, b) => a - b);

export function csrName(csr: number): string {
  return NAMES.get(csr) ?? `0x${csr.toString(16).padStart(3, '0')}`;
}

export function csrNumber(name: string): number | undefined {
  for (const [num, n] of NAMES) if (n === name) return num;
  return undefined;
}

/** The lowest privilege that may access `csr` (bits 9:8; priv 2.1). */
export function csrPrivilege(csr: number): number {
  return (csr >>> 8) & 3;
}

export function csrReadOnly(csr: number): boolean {
  return (csr >>> 10) === 3;
}
