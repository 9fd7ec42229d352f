// Public entry of @virtlab/cpu-core: the RV32IMA hart, its decoder table and the tools built on it.
export {
  INSTRUCTION_FORMS, FORM_BY_OP, FORM_BY_MNEMONIC, OP_COUNT, OP_ILLEGAL, OP_PAGE_END, OP_UNDECODED,
  decodeForm, field, imm, operandImmediate,
} from './decoder-table.js';
export type { Extension, InstructionForm, OperandFormat, VirtualizationClass } from './decoder-table.js';
export { ABI_NAMES, disassemble } from './disassemble.js';
export { AssemblerError, assemble, encode } from './assemble.js';
export {
  ALL_IRQS, CAUSE, CSR, DELEGABLE_EXCEPTIONS, DELEGABLE_IRQS, EXCEPTION_NAMES, IMPLEMENTED_CSRS, INTERRUPT_NAMES, IRQ, MIP_WRITABLE, MSTATUS,
  MSTATUS_WRITABLE, PRIV, SSTATUS_MASK, SSTATUS_WRITABLE, csrName, csrNumber, csrPrivilege, csrReadOnly,
} from './csr.js';
export type { Privilege } from './csr.js';
export { LEGACY_PROFILE, RV32IMA_PROFILE, isaProfile } from './isa-profile.js';
export type { IsaProfile, UserCsrHole } from './isa-profile.js';
export { PMP_R, PMP_W, PMP_X, Pmp } from './pmp.js';
export { FAST_EXEC, FAST_READ, FAST_WRITE, Tlb } from './tlb.js';
export {
  ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE, PTE, WALK_ACCESS_FAULT, WALK_OK, WALK_PAGE_FAULT, Sv32Walker, accessFaultCause, pageFaultCause, ptePermits,
} from './sv32-walk.js';
export type { AccessKind, PteRead, Sv32WalkResult, WalkFaultReason, WalkOptions } from './sv32-walk.js';
export { Hart, HartError } from './hart.js';
export type { HartEventName, HartMonitor, HartOptions, RunResult, StopReason, TrapInfo } from './hart.js';
export { GuestMemory, MmioClaimError, MmioClaims, MonitorPort } from './hypervisor-port.js';
export type { MmioClaim, MmioHandler } from './hypervisor-port.js';
export { MINI_CONSOLE_BASE, MINI_FINISHER_BASE, MINI_TIMER_BASE, MiniPlatform } from './mini-platform.js';
export type { MiniPlatformOptions } from './mini-platform.js';
export { checkPopekGoldberg } from './popek-goldberg.js';
export type { FormVerdict, PopekGoldbergReport, ProbeResult } from './popek-goldberg.js';
export { mulhu } from './mulhu.js';
export {
  SEMANTICS, applyOperator, evaluate, fold, isComparison, isTotal, jsCondition, jsValue, operandsOf, semanticsOf,
} from './semantics.js';
export type { BinaryOperator, Expr, JsOperands, KnownOperands, Operand, Semantics } from './semantics.js';
export { fastLoopSource } from './fast-loop.js';
