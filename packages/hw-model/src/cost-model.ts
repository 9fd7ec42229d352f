/**
 * The lab's price table (ARCHITECTURE.md, "Cost model and counters"). Mechanisms are real and
 * counted; only the price of each event is modeled, and the table is data a user can change.
 * Every figure is in lab cycles.
 */

/** Instruction classes; cpu-core's decoder table assigns one to every instruction form. */
export type InstructionClass =
  | 'alu' // integer register/immediate arithmetic, logic, shifts, lui, auipc
  | 'mul' // mul, mulh, mulhsu, mulhu
  | 'div' // div, divu, rem, remu
  | 'load'
  | 'store'
  | 'branch'
  | 'jump' // jal, jalr
  | 'atomic' // lr, sc, amo*
  | 'csr' // csrr*
  | 'system' // ecall, ebreak, mret, sret, wfi, sfence.vma
  | 'fence'; // fence, fence.i

export const INSTRUCTION_CLASSES: readonly InstructionClass[] = [
  'alu',
  'mul',
  'div',
  'load',
  'store',
  'branch',
  'jump',
  'atomic',
  'csr',
  'system',
  'fence',
];

export interface CostModel {
  /** Cycles charged per executed instruction of each class. */
  readonly instruction: Readonly<Record<InstructionClass, number>>;
  /** Extra cycles for a taken branch or a jump (pipeline refill). */
  readonly takenBranch: number;
  /**
   * Entering a trap (exception or interrupt): vectoring, state save. Charged for every trap the
   * hart takes, including one that a TypeScript monitor handles (see "Monitor time" below).
   */
  readonly trapEntry: number;
  /** mret / sret on top of their instruction class; also a monitor's resume after a handled trap. */
  readonly trapReturn: number;
  /** Each level of an Sv32 page-table walk on a TLB miss (one memory access per level). */
  readonly tlbMissPerLevel: number;
  /** Each access to a device register, on top of the load/store. */
  readonly mmioAccess: number;
  /** A cycle spent waiting in WFI is charged by time, not here; this is the cost of entering it. */
  readonly wfi: number;
  /** Prices of events that strategies add (`vm.exit`, `hypercall`, `shadow.fault`, ...). */
  readonly events: Readonly<Record<string, number>>;
}

/*
 * Monitor time (the rule every engine implements the same way). A trap bound for M-mode that a
 * TypeScript monitor handles (`HartMonitor.onTrap` returns 'handled') costs:
 *   1. `trapEntry`, as any trap: the hart vectored, only into the monitor instead of mtvec;
 *   2. the trapping instruction neither retires nor is charged its class price (as for any trap:
 *      an exception stops the instruction; an interrupt comes between two instructions);
 *   3. `trapReturn` for resuming the guest, as the mret that a firmware handler would end with;
 *   4. whatever the monitor charges itself through its port (`chargeEvent(name)`, priced here in
 *      `events`), which is how a hypervisor prices its emulation work (`vm.exit`, `shadow.fault`).
 * The monitor's port reads and writes (registers, CSRs, guest memory, page walks) are counted
 * but cost nothing by themselves: their price is in the events the monitor charges.
 * A trap the monitor passes on ('deliver') costs `trapEntry` once, like any trap to mtvec.
 */

/**
 * Defaults: a simple in-order core in the spirit of the classic five-stage RISC pipeline, with
 * multi-cycle multiply and divide and a memory access per page-table level.
 */
export const DEFAULT_COST_MODEL: CostModel = {
  instruction: {
    alu: 1,
    mul: 3,
    div: 20,
    load: 2,
    store: 1,
    branch: 1,
    jump: 1,
    atomic: 4,
    csr: 2,
    system: 2,
    fence: 1,
  },
  takenBranch: 1,
  trapEntry: 20,
  trapReturn: 10,
  tlbMissPerLevel: 10,
  mmioAccess: 20,
  wfi: 1,
  events: {},
};

export class CostModelError extends Error {
  override name = 'CostModelError';
}

/** A cost model with `overrides` applied, validated: every price a non-negative integer. */
export function costModel(overrides: Partial<Omit<CostModel, 'instruction' | 'events'>> & {
  instruction?: Partial<Record<InstructionClass, number>>;
  events?: Record<string, number>;
} = {}): CostModel {
  const model: CostModel = {
    ...DEFAULT_COST_MODEL,
    ...overrides,
    instruction: { ...DEFAULT_COST_MODEL.instruction, ...overrides.instruction },
    events: { ...DEFAULT_COST_MODEL.events, ...overrides.events },
  };
  const check = (name: string, v: unknown) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new CostModelError(`cost '${name}' must be a non-negative integer number of cycles, got ${String(v)}`);
    }
  };
  for (const [k, v] of Object.entries(model.instruction)) check(`instruction.${k}`, v);
  for (const [k, v] of Object.entries(model.events)) check(`events.${k}`, v);
  for (const k of COST_SCALAR_KEYS) check(k, model[k]);
  return model;
}

/** The single-number prices of a cost model, by key (besides `instruction` and `events`). */
export const COST_SCALAR_KEYS = ['takenBranch', 'trapEntry', 'trapReturn', 'tlbMissPerLevel', 'mmioAccess', 'wfi'] as const;

/** The price of strategy event `name` in `model.events`; an event without a price is a configuration mistake, not free. */
export function eventPrice(model: CostModel, name: string): number {
  const price = Object.hasOwn(model.events, name) ? model.events[name] : undefined;
  if (price === undefined) {
    throw new CostModelError(`event '${name}' has no price; add it with costModel({ events: { '${name}': cycles } })`);
  }
  return price;
}
