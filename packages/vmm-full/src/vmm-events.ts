/**
 * The events the hypervisor charges, on top of the lab kit's `vm.exit` (one per world switch),
 * and their default prices in lab cycles. They stand for the monitor's own work, derived from the
 * default instruction prices the way the lab kit's `vm.exit` is (not measured): roughly how many
 * loads, stores and ALU operations a TypeScript monitor's C equivalent would execute.
 */
import { DEFAULT_COST_MODEL } from '@virtlab/hw-model';
import type { CostModel } from '@virtlab/hw-model';

const { alu, load, store, csr } = DEFAULT_COST_MODEL.instruction;
/** Fetching the trapped instruction from guest memory and decoding it. */
const DECODE = 2 * load + 10 * alu;

export const VMM_EVENT_PRICES = {
  /** A CSR instruction emulated on the virtual CSRs. */
  'vmm.emulate.csr': DECODE + 2 * load + 2 * store + 6 * alu,
  /** sret: the virtual sstatus stack popped, sepc taken, the shadow root switched. */
  'vmm.emulate.sret': DECODE + 3 * load + 2 * store + 8 * alu + csr,
  /** wfi: the wake condition checked, the hart put to sleep. */
  'vmm.emulate.wfi': DECODE + 2 * load + 4 * alu,
  /** sfence.vma: the shadow entry (or the whole shadow) dropped, the real TLB flushed. */
  'vmm.emulate.sfence': DECODE + 4 * load + 4 * store + 10 * alu + csr,
  /** A trapped device access decoded and performed on the VM's device model. */
  'vmm.emulate.mmio': DECODE + 2 * load + 2 * store + 20 * alu,
  /** A store to a write-protected guest page table performed, and the shadow entries it fed dropped. */
  'vmm.emulate.table_write': DECODE + 4 * load + 4 * store + 20 * alu,
  /** An SBI call answered (the call's own work beyond the exit: console bytes, timer). */
  'vmm.sbi': 4 * load + 2 * store + 16 * alu,
  /** A shadow entry filled: the guest walk (two PTE loads, the A/D store), the shadow store, bookkeeping. */
  'vmm.shadow.fill': 2 * load + store + 2 * load + store + 30 * alu,
  /** Each shadow leaf a fill writes (one, or up to 1024 for a guest megapage): a store and its bookkeeping. */
  'vmm.shadow.leaf': store + 4 * alu,
  /** A trap reflected into the guest: the virtual scause/sepc/stval/sstatus written, pc set to stvec. */
  'vmm.reflect': 4 * store + 2 * load + 10 * alu,
  /** A virtual interrupt delivered through stvec (the same stacking as a reflected trap). */
  'vmm.interrupt': 4 * store + 3 * load + 12 * alu,
  /** One VM's time slice ends and another's begins: 31 registers and pc stored and loaded, its shadow root selected. */
  'vmm.vm_switch': 32 * store + 32 * load + 10 * alu + csr,
  /**
   * Binary translation: a callout from translated virtual-S code into the monitor, made instead of
   * a sensitive instruction — a call that saves and restores the caller-saved registers it needs,
   * no trap and no world switch (Adams and Agesen, ASPLOS 2006, on why callouts beat exits).
   */
  'vmm.bt.callout': 8 * store + 8 * load + 10 * alu,
  /** Translating one guest instruction of virtual S: fetched, decoded, classified, emitted. */
  'vmm.bt.translate': DECODE + 2 * store + 10 * alu,
} as const;

export type VmmEvent = keyof typeof VMM_EVENT_PRICES;

/** `base` with the hypervisor's events priced where `base` does not price them already. */
export function withVmmEvents(base: CostModel): CostModel {
  return { ...base, events: { ...VMM_EVENT_PRICES, ...base.events } };
}
