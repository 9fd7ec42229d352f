/**
 * Why the guest left, and what the hypervisor does about it (KVM's vcpu_exit.c): every trap of
 * the deprivileged guest reaches M-mode, where this handler emulates it (a privileged
 * instruction of virtual S, an SBI call, a shadow fill, a device access, the timer) or reflects
 * it into the guest through its stvec as real hardware would have delivered it to S-mode.
 */
import { ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE, CAUSE, CSR, IRQ, accessFaultCause, decodeForm, field } from '@virtlab/cpu-core';
import type { AccessKind, StopReason, TrapInfo } from '@virtlab/cpu-core';
import { BusError } from '@virtlab/hw-model';
import { emulateCsrInstruction } from './csr-emulation.js';
import { walkGuest } from './guest-page-walk.js';
import type { HostPort } from '@virtlab/lab-kit';
import { completeLoad, decodeMemoryAccess, storeValue } from './memory-access.js';
import { serveSbiCall } from './sbi.js';
import { ShadowPageTables } from './shadow-page-table.js';
import type { VirtualMachine } from './virtual-machine.js';
import { enterVirtualTrap, pendingVirtualInterrupt, virtualSret, wfiWakes } from './virtual-trap.js';
import type { VmmEvent } from './vmm-events.js';

/** Exit reasons, as counted (`exit.<reason>`). */
export const EXIT_REASONS = [
  'csr', 'sret', 'wfi', 'sfence', 'sbi', 'syscall', 'shadow_fill', 'table_write', 'mmio', 'timer', 'reflected_exception', 'reflected_page_fault', 'interrupt_other',
] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export interface ExitCounters {
  readonly exits: Record<ExitReason, number>;
  /** Binary translation: sensitive instructions of virtual S emulated by a callout from translated code, by reason. */
  readonly callouts: Record<ExitReason, number>;
  /** Instructions the hart retired in virtual U (0) and virtual S (1): the guest's own, run directly. */
  readonly direct: [number, number];
  /** Page faults the hypervisor handled itself (shadow fills, table writes, device accesses). */
  hiddenFaults: number;
  /** Page faults that were the guest's own and were delivered to it. */
  reflectedFaults: number;
  /** Virtual interrupts delivered. */
  interrupts: number;
}

export function newExitCounters(): ExitCounters {
  const zero = () => Object.fromEntries(EXIT_REASONS.map((r) => [r, 0])) as Record<ExitReason, number>;
  return { exits: zero(), callouts: zero(), direct: [0, 0], hiddenFaults: 0, reflectedFaults: 0, interrupts: 0 };
}

const ECALL = 0x00000073;
const SRET = 0x10200073;
const WFI = 0x10500073;

export class VcpuExits {
  readonly counters = newExitCounters();
  /** Set when the guest's trap handler faults on itself for ever (the hart's `fault-loop` rule): the VM cannot run on. */
  faultLoop: Extract<StopReason, { kind: 'fault-loop' }> | undefined = undefined;
  #lastVector = -1;
  #lastCause = -1;
  #loops = 0;
  #lastSatp = 0;
  /** What the guest is being given now: exits (a trap reached the monitor) or callouts (translated code called it). */
  #tally: Record<ExitReason, number> = this.counters.exits;
  /** The hart's retired count when the guest last resumed, and the virtual privilege it resumed in. */
  #retiredMark = 0;
  #privMark: 0 | 1 = 1;

  constructor(
    readonly vm: VirtualMachine,
    readonly host: HostPort,
  ) {}

  /** Handles one trap of the guest; the guest resumes wherever the vcpu now says. */
  handle(trap: TrapInfo): void {
    this.#account();
    // The hart itself charges a handled trap trapEntry + trapReturn (cost-model.ts, "Monitor time").
    this.#charge('vm.exit');
    if (trap.interrupt) this.#interrupt(trap.code);
    else this.#exception(trap);
    this.resume();
  }

  /**
   * Binary translation: translated virtual-S code calls the monitor instead of executing the
   * sensitive instruction `word` at `pc` — emulated as its trap would have been, without the trap
   * and the world switch (`vmm.bt.callout` instead of trap entry, return and `vm.exit`).
   */
  callout(word: number, pc: number): void {
    this.#account();
    this.#charge('vmm.bt.callout');
    this.#tally = this.counters.callouts;
    try {
      if (word === ECALL && this.vm.vcpu.priv === 1) {
        this.#tally.sbi++;
        this.#charge('vmm.sbi');
        serveSbiCall(this.vm, this.host);
        this.#next(pc);
      } else {
        this.#privileged(word, pc);
      }
    } finally {
      this.#tally = this.counters.exits;
    }
    this.resume();
  }

  /** Instructions the hart retired since the guest last resumed go to the virtual privilege they ran in. */
  #account(): void {
    const now = this.host.retired;
    this.counters.direct[this.#privMark] += now - this.#retiredMark;
    this.#retiredMark = now;
  }

  /** Another VM ran on the hart meanwhile: its instructions are not this one's. */
  markRetired(): void {
    this.#retiredMark = this.host.retired;
  }

  /** The next entry loads the shadow root whatever the hart holds (another VM ran in between). */
  forgetSatp(): void {
    this.#lastSatp = 0;
  }

  /** Enters the guest at the vcpu's state: a pending virtual interrupt first, then the shadow of its privilege. */
  resume(): void {
    const vm = this.vm;
    vm.syncLines();
    const irq = pendingVirtualInterrupt(vm.vcpu);
    if (irq >= 0) {
      this.host.pc = enterVirtualTrap(vm.vcpu, irq, true, 0, this.host.pc);
      this.#lastVector = this.host.pc;
      this.#lastCause = -1;
      this.counters.interrupts++;
      this.#charge('vmm.interrupt');
    }
    const satp = vm.shadow.satpFor(vm.vcpu.priv);
    if (satp !== this.#lastSatp) {
      this.#lastSatp = satp;
      this.host.setSatp(satp);
    }
    this.host.privilege = 0;
    this.#retiredMark = this.host.retired;
    this.#privMark = vm.vcpu.priv;
  }

  #interrupt(code: number): void {
    if (code === IRQ.MTI) {
      this.counters.exits.timer++;
      this.vm.timerTick();
    } else {
      this.counters.exits.interrupt_other++;
    }
  }

  #exception(trap: TrapInfo): void {
    const vcpu = this.vm.vcpu;
    switch (trap.code) {
      case CAUSE.ecallU:
        if (vcpu.priv === 1) {
          this.counters.exits.sbi++;
          this.#charge('vmm.sbi');
          serveSbiCall(this.vm, this.host);
          this.#next(trap.epc);
        } else {
          // A system call of the guest's process: its kernel's business.
          this.counters.exits.syscall++;
          this.#reflect(CAUSE.ecallU, 0, trap.epc, false);
        }
        return;
      case CAUSE.illegalInstruction:
        this.#privileged(trap.tval === 0 ? this.#fetch(trap.epc) : trap.tval, trap.epc);
        return;
      case CAUSE.fetchPageFault:
        this.#pageFault(trap, ACCESS_FETCH);
        return;
      case CAUSE.loadPageFault:
        this.#pageFault(trap, ACCESS_LOAD);
        return;
      case CAUSE.storePageFault:
        this.#pageFault(trap, ACCESS_STORE);
        return;
      default:
        // Misaligned accesses, breakpoints, access faults: what S-mode would have been given.
        this.#reflect(trap.code, trap.tval, trap.epc);
    }
  }

  /** An instruction that is illegal in real U-mode: emulated when virtual S may execute it, else reflected. */
  #privileged(word: number | undefined, epc: number): void {
    const vm = this.vm;
    const vcpu = vm.vcpu;
    if (word === undefined) return; // the fetch was reflected
    const form = decodeForm(word);
    if (form !== undefined && (form.format === 'CSR' || form.format === 'CSRI')) {
      const sstatusBefore = vcpu.sstatus;
      const satpBefore = vcpu.satp;
      const r = emulateCsrInstruction(vcpu, this.host, word);
      if (!r.ok) {
        this.#reflect(CAUSE.illegalInstruction, word, epc);
        return;
      }
      this.#tally.csr++;
      this.#charge('vmm.emulate.csr');
      if (r.csr === CSR.satp && vcpu.satp !== satpBefore) vm.shadow.select(vcpu.satp);
      if (r.csr === CSR.sstatus && ShadowPageTables.sstatusMatters(sstatusBefore, vcpu.sstatus)) vm.shadow.flushContext(1);
      this.#next(epc);
      return;
    }
    if (vcpu.priv === 1 && word === SRET) {
      this.#tally.sret++;
      this.#charge('vmm.emulate.sret');
      vm.emulated++;
      this.host.pc = virtualSret(vcpu);
      return;
    }
    if (vcpu.priv === 1 && word === WFI) {
      this.#tally.wfi++;
      this.#charge('vmm.emulate.wfi');
      this.#next(epc);
      // priv 3.3.3: wait until an interrupt is pending and enabled in sie; the host timer wakes the hart.
      if (!wfiWakes(vcpu)) {
        vcpu.waiting = true;
        this.host.sleep();
      }
      return;
    }
    if (vcpu.priv === 1 && form?.mnemonic === 'sfence.vma') {
      this.#tally.sfence++;
      this.#charge('vmm.emulate.sfence');
      // Write protection keeps the shadows coherent with the guest's tables, so a full fence drops
      // nothing; a fence of one address drops that page (cheap, and what the guest asked for).
      const rs1 = field.rs1(word);
      if (rs1 !== 0) vm.shadow.invalidatePage(this.host.readReg(rs1));
      this.#next(epc);
      return;
    }
    this.#reflect(CAUSE.illegalInstruction, word, epc);
  }

  #pageFault(trap: TrapInfo, access: AccessKind): void {
    const vm = this.vm;
    const vcpu = vm.vcpu;
    const va = trap.tval;
    const f = vm.shadow.fault(va, access, { priv: vcpu.priv, satp: vcpu.satp, sstatus: vcpu.sstatus });
    switch (f.kind) {
      case 'filled':
        this.counters.exits.shadow_fill++;
        this.counters.hiddenFaults++;
        this.#charge('vmm.shadow.fill');
        this.host.chargeEvent('vmm.shadow.leaf', f.pages);
        return;
      case 'guest':
        this.counters.reflectedFaults++;
        this.counters.exits.reflected_page_fault++;
        this.#reflect(f.cause, va, trap.epc, false);
        return;
      case 'mmio':
        this.counters.hiddenFaults++;
        this.counters.exits.mmio++;
        this.#mmio(f.gpa, va, access, trap.epc);
        return;
      case 'table-write':
        this.counters.hiddenFaults++;
        this.counters.exits.table_write++;
        this.#tableWrite(f.gpa, trap.epc);
        return;
    }
  }

  /** A guest access to a guest-physical address outside its RAM: its device, or an access fault as the bus gives. */
  #mmio(gpa: number, va: number, access: AccessKind, epc: number): void {
    const cause = accessFaultCause(access);
    if (access === ACCESS_FETCH) {
      this.#reflect(cause, va, epc);
      return;
    }
    const word = this.#fetch(epc);
    if (word === undefined) return;
    const op = decodeMemoryAccess(word);
    this.#charge('vmm.emulate.mmio');
    try {
      if (op.kind === 'load') completeLoad(this.host, op, this.vm.devices.read(gpa, op.width));
      else if (op.kind === 'store') this.vm.devices.write(gpa, storeValue(this.host, op), op.width);
      else throw new BusError(gpa >>> 0, 4, access === ACCESS_STORE ? 'write' : 'read');
    } catch (e) {
      if (!(e instanceof BusError)) throw e;
      this.#reflect(cause, va, epc);
      return;
    }
    this.#next(epc);
  }

  /** A store into a write-protected guest page table: done here, then the shadow entries it fed are dropped. */
  #tableWrite(gpa: number, epc: number): void {
    const vm = this.vm;
    const word = this.#fetch(epc);
    if (word === undefined) return;
    const op = decodeMemoryAccess(word);
    if (op.kind !== 'store') {
      // An AMO or SC on a PTE: let the guest's own instruction run once the page is unprotected.
      vm.shadow.untrackTable(gpa);
      return;
    }
    this.#charge('vmm.emulate.table_write');
    vm.memory.write(gpa, storeValue(this.host, op), op.width);
    vm.shadow.tableWritten(gpa, op.width);
    this.#next(epc);
  }

  /**
   * The instruction word at guest-virtual `epc`, read through the guest's own translation; when that
   * fails (the guest changed its tables under the running code) the fetch fault is reflected and
   * undefined returned.
   */
  #fetch(epc: number): number | undefined {
    const vm = this.vm;
    const vcpu = vm.vcpu;
    let gpa = epc >>> 0;
    if (vcpu.satp < 0) {
      const w = walkGuest(vm.memory, vcpu.satp, epc, ACCESS_FETCH, vcpu.priv, vcpu.sstatus, false);
      if (!w.ok) {
        this.#reflect(w.cause, epc, epc);
        return undefined;
      }
      gpa = w.gpa;
    }
    if (!vm.memory.contains(gpa, 4)) {
      this.#reflect(CAUSE.fetchAccess, epc, epc);
      return undefined;
    }
    return vm.memory.read(gpa, 4) | 0;
  }

  /** The emulated instruction at `epc` is complete: it retires, the guest goes on at epc + 4. */
  #next(epc: number): void {
    this.vm.emulated++;
    this.host.pc = (epc + 4) | 0;
  }

  #reflect(cause: number, tval: number, epc: number, count = true): void {
    if (count) this.#tally.reflected_exception++;
    this.#charge('vmm.reflect');
    const pc = enterVirtualTrap(this.vm.vcpu, cause, false, tval, epc);
    // The hart's rule for a fault loop (cpu-core traps.ts): the same exception, three times running,
    // at the very address its own trap handler starts at — the guest can never get out.
    if (epc === this.#lastVector && cause === this.#lastCause) {
      if (++this.#loops >= 3 && this.faultLoop === undefined) {
        this.faultLoop = {
          kind: 'fault-loop', cause, pc: epc >>> 0, tval: tval >>> 0,
          description: `the VM's trap handler at 0x${(epc >>> 0).toString(16)} faults with cause ${cause} tval 0x${(tval >>> 0).toString(16)}, again and again`,
        };
      }
    } else {
      this.#loops = 0;
    }
    this.#lastVector = pc;
    this.#lastCause = cause;
    this.host.pc = pc;
  }

  #charge(event: VmmEvent | 'vm.exit'): void {
    this.host.chargeEvent(event);
  }
}
