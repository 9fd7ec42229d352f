/**
 * The events the para hypervisor charges, and their prices in lab cycles. Like vmm-full's and the
 * lab kit's `vm.exit`, they are derived from the default instruction prices (not measured):
 * roughly the loads, stores and ALU operations the hypervisor's C equivalent would execute.
 *
 * Para-virtualization uses no hardware virtualization: a hypercall is a trap into the
 * hypervisor (Xen 2003 on x86: a software interrupt into ring 0; here an ecall into M-mode), which
 * the hart already charges trapEntry + trapReturn. So `para.entry`, the register save and
 * restore around each entry, is priced as the default preset prices `vm.exit`, under every
 * preset: a preset that makes hardware world switches dear (`vtx-2006`) does not touch it, as
 * Xen's hypercalls did not use VT-x.
 */
import { DEFAULT_COST_MODEL } from '@virtlab/hw-model';
import type { CostModel } from '@virtlab/hw-model';
import { HYPERCALL_NAMES } from './abi.js';
import type { HypercallName } from './abi.js';

const { alu, load, store, csr } = DEFAULT_COST_MODEL.instruction;
/** Reading the function id and arguments from the saved registers and jumping through a table. */
const DISPATCH = 2 * load + 6 * alu;

/** Each hypercall's own work on top of the entry, by kind (the per-item work is priced apart). */
const HYPERCALL_WORK: Record<HypercallName, number> = {
  set_callbacks: DISPATCH + 3 * store + 10 * alu,
  // Loading the user registers from the trapframe is the entry's restore, done from there.
  iret: DISPATCH + 2 * load + csr + 8 * alu,
  set_timer: DISPATCH + 2 * store + csr + 6 * alu,
  console_write: DISPATCH + 8 * alu,
  console_read: DISPATCH + 2 * load + 4 * alu,
  // Per validated entry: `para.pte_update`; per entry scanned while typing a table: `para.table_scan`.
  mmu_update: DISPATCH + 6 * alu,
  pin_table: DISPATCH + 4 * load + 3 * store + 12 * alu,
  unpin_table: DISPATCH + 4 * load + 3 * store + 12 * alu,
  new_baseptr: DISPATCH + 3 * load + 3 * store + 2 * csr + 10 * alu,
  tlb_flush: DISPATCH + csr + 4 * alu,
  evtchn_send: DISPATCH + 2 * load + store + 6 * alu,
  evtchn_unmask: DISPATCH + 2 * load + store + 6 * alu,
  sched_op: DISPATCH + 4 * load + 2 * store + 10 * alu,
  // Per entry: `para.multicall_entry`.
  multicall: DISPATCH + 4 * alu,
  blk_connect: DISPATCH + 4 * load + 2 * store + 10 * alu,
};

export const PARA_EVENT_PRICES: Readonly<Record<string, number>> = {
  /** Every entry into the hypervisor (hypercall, bounced trap, timer): the 31 registers saved and restored, the trap CSRs read. */
  'para.entry': 31 * store + 31 * load + 8 * csr,
  ...Object.fromEntries(HYPERCALL_NAMES.map((n) => [`para.hc.${n}`, HYPERCALL_WORK[n]])),
  /** One PTE update validated and written: the request, the old entry and the frame's type loaded, counts updated, the entry stored. */
  'para.pte_update': 5 * load + 3 * store + 20 * alu,
  /** One entry of a table scanned while the table is validated (pinned, or first referenced) or released. */
  'para.table_scan': load + 4 * alu,
  /** A user trap bounced into the guest kernel: pc, cause and tval into the trapframe, the kernel view's satp, the callback. */
  'para.bounce': 3 * store + csr + 8 * alu,
  /** An event upcall into the guest kernel (the same stacking as a bounce, plus the pending check). */
  'para.upcall': 3 * store + 2 * load + csr + 10 * alu,
  /** One entry of a multicall: read, dispatched, its error and value written back. */
  'para.multicall_entry': 7 * load + 2 * store + 8 * alu,
  /** One block request taken off the ring: read, validated against the domain and the disk, its response written. */
  'para.ring.request': 8 * load + 3 * store + 20 * alu,
  /** The hart handed from one domain to another: the 31 registers and pc of each, the satp. */
  'para.domain_switch': 32 * store + 32 * load + 2 * csr + 10 * alu,
  /** One event notification to a domain: its pending bit set, its mask looked at. */
  'para.ring.notify': 2 * load + store + 4 * alu,
};

/** `base` with the para hypervisor's events priced where `base` does not price them already. */
export function withParaEvents(base: CostModel): CostModel {
  return { ...base, events: { ...PARA_EVENT_PRICES, ...base.events } };
}
