// Public entry of @virtlab/cpu-core: the RV32IMA hart, its decoder table and the tools built on it.
export {
  INSTRUCTION_FORMS, FORM_BY_OP, FORM_BY_MNEMONIC, OP_COUNT, OP_ILLEGAL, OP_PAGE_END, OP_UNDECODED,
  decodeForm, field, imm, operandImmediate,
} from './decoder-table.js';
export type { Extension, InstructionForm, OperandFormat, VirtualizationClass } from './decoder-table.js';
export { ABI_NAMES, disassemble } from './disassemble.js';
export { AssemblerError, assemble, encode } from './assemble.js';
export {
  CAUSE, CSR, DELEGABLE_IRQS, EXCEPTION_NAMES, IMPLEMENTED_CSRS, INTERRUPT_NAMES, IRQ, MSTATUS, PRIV, SSTATUS_MASK, SSTATUS_WRITABLE, csrName, csrNumber, csrPrivilege, csrReadOnly,
} from './csr.js';
export type { Privilege } from './csr.js';
export { LEGACY_PROFILE, RV32IMA_PROFILE, isaProfile } from './isa-profile.js';
export type { IsaProfile, UserCsrHole } from './isa-profile.js';
export { Pmp } from './pmp.js';
export { Tlb } from './tlb.js';
export { ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE, Hart, HartError, MonitorPort } from './hart.js';
export type { AccessKind, HartMonitor, HartOptions, RunResult, StopReason, TrapInfo } from './hart.js';
export { MINI_CONSOLE_BASE, MINI_FINISHER_BASE, MINI_TIMER_BASE, MiniPlatform } from './mini-platform.js';
export type { MiniPlatformOptions } from './mini-platform.js';
export { checkPopekGoldberg } from './popek-goldberg.js';
export type { FormVerdict, PopekGoldbergReport, ProbeResult } from './popek-goldberg.js';
export { mulhu } from './mulhu.js';
export { PTE, accessFaultCause, pageFaultCause, ptePermits } from './pte.js';
