/**
 * The hypervisor: owns M-mode of a board's hart through the hart's monitor interface and runs VMs
 * on it by trap-and-emulate. Each guest kernel (virtual S) and its processes (virtual U) run in
 * real U-mode on shadow page tables; every trap reaches `onTrap` and is emulated or reflected
 * (vcpu-exit.ts). Host RAM is laid out as [shadow pool 0 | VM slice 0 | shadow pool 1 | VM slice 1 | ...].
 *
 * Several VMs share the hart by round-robin time slices carried by the host's machine timer, which
 * the guests cannot mask (they run in U-mode, where M-mode interrupts are always enabled, priv
 * 3.1.6.1): a VM that spins with its virtual interrupts disabled still loses the hart at the end of
 * its slice. A VM that waits in WFI gives the hart up at once. Each VM's shadows use their own
 * range of real ASIDs, so a switch between VMs flushes no TLB entry.
 */
import type { Hart, HartMonitor, IsaProfile, TrapInfo } from '@virtlab/cpu-core';
import { CALLOUT, createEngine } from '@virtlab/emulator';
import type { Engine, EngineKind, TranslationHooks } from '@virtlab/emulator';
import type { VirtBoard } from '@virtlab/hw-model';
import type { ExitCounters } from './vcpu-exit.js';
import { VirtualMachine } from './virtual-machine.js';
import { HostPort, loadVm } from '@virtlab/lab-kit';
import type { VmBootState, VmImages } from '@virtlab/lab-kit';
import { VmGuest } from './vm-guest.js';

export class HypervisorError extends Error {
  override name = 'HypervisorError';
}

export interface VmSpec extends VmImages {
  /** A name for reports (default `vm<i>`). */
  readonly name?: string;
  /** Guest RAM in bytes; with one VM the default is all host RAM after the shadow pool; with several it is required. */
  readonly ramSize?: number;
  readonly consoleInput?: string | Uint8Array;
  /** A disk for the VM's virtio-blk, DMA through the VM's window (written in place: pass a private copy). */
  readonly disk?: Uint8Array;
  /** Console bytes kept (default 16 MiB); later ones are dropped and counted. */
  readonly consoleLimit?: number;
}

export interface HypervisorOptions {
  /** One VM: its console is the board's UART. */
  readonly vm?: VmSpec;
  /** Several VMs on the one hart, each with its own console (`guests[i].console`). */
  readonly vms?: readonly VmSpec[];
  /** Pages of host RAM for each VM's shadow tables, below its slice (default 1024: 4 MiB). */
  readonly shadowPoolPages?: number;
  /** Length of a time slice in timebase ticks when several VMs share the hart (default 10 ms of lab time). */
  readonly sliceTicks?: number;
  /** With several VMs: halt the board when every VM has halted (default) or when any has. */
  readonly until?: 'all' | 'any';
  readonly profile?: IsaProfile | 'rv32ima' | 'legacy';
  readonly hartId?: number;
  /** What runs the hart: cpu-core's interpreter (`interp`, default) or the emulator's translator (`dbt`). */
  readonly engine?: EngineKind;
  /**
   * Binary translation (VMware, 1998): virtual-S code never runs as itself; the emulator's
   * translator runs it with each sensitive instruction (every CSR access, sret, mret, wfi,
   * sfence.vma, ecall) replaced by a callout into the hypervisor. Virtual-U code runs directly, as
   * under trap-and-emulate. Needs the translator: `engine` must be `dbt` (the default then).
   */
  readonly binaryTranslation?: boolean;
}

/** Forms translated virtual-S code calls the hypervisor for instead of executing (beside every CSR form). */
const CALLOUT_MNEMONICS = new Set(['ecall', 'sret', 'mret', 'wfi', 'sfence.vma']);

const PAGE = 4096;
const DEFAULT_CONSOLE_LIMIT = 16 << 20;
/** Real ASIDs per VM: 2 shadows (virtual S and U) × up to 8 guest address spaces, and ASID 0 left to the hypervisor. */
const ASIDS_PER_VM = 16;
const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

export class Hypervisor implements HartMonitor {
  /** What runMachine drives: the engine running the hart. */
  readonly engine: Engine;
  readonly hart: Hart;
  readonly guests: readonly VmGuest[];
  /** Traps that came from real S or M-mode: the hypervisor's own mistake, never the guest's. */
  strayTraps = 0;
  /** World switches between VMs, and lab cycles the hart slept with no VM runnable. */
  vmSwitches = 0;
  idleCycles = 0;
  readonly #host: HostPort;
  readonly #slice: number;
  readonly #until: 'all' | 'any';
  #cur = 0;
  #sliceEnd = 0;
  /** Lab cycles when the hart went to sleep with no VM runnable, until the next trap. */
  #idleSince: number | undefined = undefined;

  constructor(
    readonly board: VirtBoard,
    options: HypervisorOptions,
  ) {
    const specs = options.vms ?? (options.vm === undefined ? [] : [options.vm]);
    if (specs.length === 0 || (options.vm !== undefined && options.vms !== undefined)) throw new HypervisorError('give exactly one of options.vm or options.vms (with at least one VM)');
    if (specs.length * ASIDS_PER_VM >= 512) throw new HypervisorError(`${specs.length} VMs need ${specs.length * ASIDS_PER_VM} real ASIDs; Sv32 has 511 besides the hypervisor's`);
    const poolPages = options.shadowPoolPages ?? 1024;
    if (!Number.isSafeInteger(poolPages) || poolPages < 3) throw new HypervisorError(`shadowPoolPages must be an integer >= 3, got ${String(poolPages)}`);
    const pool = poolPages * PAGE;
    const shared = specs.length > 1;
    const slice = options.sliceTicks ?? board.clock.timebaseFrequency / 100;
    if (!Number.isSafeInteger(slice) || slice <= 0) throw new HypervisorError(`sliceTicks must be a positive integer, got ${String(options.sliceTicks)}`);
    this.#slice = slice;
    this.#until = options.until ?? 'all';
    const bt = options.binaryTranslation === true;
    if (bt && options.engine === 'interp') throw new HypervisorError('binary translation runs on the translator: engine must be dbt');
    this.engine = createEngine(bt ? 'dbt' : (options.engine ?? 'interp'), board, {
      monitor: this,
      ...(bt ? { translation: this.#translationHooks() } : {}),
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      ...(options.hartId === undefined ? {} : { hartId: options.hartId }),
    });
    this.hart = this.engine.hart;
    const host = (this.#host = new HostPort(this.hart, board));
    // The layout first, every VM checked before any is built: [pool | slice] per VM from the bottom of RAM.
    let next = board.bus.ramBase;
    const layout = specs.map((spec, i) => {
      const name = spec.name ?? `vm${i}`;
      const ramSize = spec.ramSize ?? (shared ? undefined : board.ramSize - pool);
      if (ramSize === undefined) throw new HypervisorError(`${name}: ramSize is required when several VMs share the board`);
      if (!Number.isSafeInteger(ramSize) || ramSize <= 0 || ramSize % PAGE !== 0 || next + pool + ramSize > board.bus.ramBase + board.ramSize) {
        throw new HypervisorError(`${name}: VM RAM of ${hex(ramSize)} bytes plus a shadow pool of ${hex(pool)} bytes at ${hex(next)} does not fit the board's ${hex(board.ramSize)} bytes of RAM`);
      }
      const at = next;
      next += pool + ramSize;
      return { name, ramSize, poolBase: at };
    });
    this.guests = specs.map((spec, i) => {
      const { name, ramSize, poolBase } = layout[i]!;
      const vm = new VirtualMachine(board, this.hart, host, {
        ramSize,
        hostBase: poolBase + pool,
        shadowPoolBase: poolBase,
        shadowPoolPages: poolPages,
        consoleInput: spec.consoleInput,
        consoleLimit: spec.consoleLimit ?? DEFAULT_CONSOLE_LIMIT,
        ...(spec.disk === undefined ? {} : { disk: spec.disk }),
        ...(shared ? { asidBase: i * ASIDS_PER_VM, sharedHart: true, armTimer: () => this.#armHostTimer() } : { onConsoleOutput: (b: number) => board.uart.write(0, b, 1) }),
      });
      return new VmGuest(name, vm, loadVm(vm.memory, spec, board.clock.timebaseFrequency), host);
    });
    host.deprivilege();
    // Every VM starts at its kernel's entry in virtual S-mode, a0 = hart id, a1 = its device tree
    // (Linux RISC-V boot protocol); the first one on the hart, the others as saved contexts.
    for (let i = this.guests.length - 1; i >= 0; i--) {
      const g = this.guests[i]!;
      g.vm.vcpu.priv = 1;
      host.writeReg(10, this.hart.hartId);
      host.writeReg(11, g.boot.fdtAddress);
      host.pc = g.boot.entry;
      if (i > 0) g.saveContext(0);
    }
    this.guests[0]!.vm.switchIn();
    this.#sliceEnd = board.clock.mtime + slice;
    host.setHostTimer(shared ? this.#sliceEnd : undefined);
    this.guests[0]!.exits.resume();
  }

  /** The first (or only) VM. */
  get vm(): VirtualMachine {
    return this.guests[0]!.vm;
  }

  get boot(): VmBootState {
    return this.guests[0]!.boot;
  }

  /** Exits by reason, hidden and reflected faults, interrupts delivered (the first VM's). */
  get exits(): ExitCounters {
    return this.guests[0]!.exits.counters;
  }

  /** The counters a run report carries for the hypervisor (`vmm.*`; the first VM's exits). */
  counters(): Record<string, number> {
    const out = this.guests[0]!.counters();
    out['vmm.stray_traps'] = this.strayTraps;
    if (this.guests.length > 1) {
      out['vmm.vm_switches'] = this.vmSwitches;
      out['vmm.idle_cycles'] = this.idleCycles;
    }
    return out;
  }

  onTrap(_hart: Hart, trap: TrapInfo): 'handled' | 'deliver' {
    if (trap.from !== 0) {
      // Only guests run on the hart, always in U-mode: let the hart's own trap path show it.
      this.strayTraps++;
      return 'deliver';
    }
    const g = this.guests[this.#cur]!;
    if (this.#idleSince !== undefined) {
      const idle = this.board.clock.cycles - this.#idleSince;
      this.idleCycles += idle;
      g.vm.discount(idle);
      this.#idleSince = undefined;
    }
    g.exits.handle(trap);
    this.#afterExit(g);
    return 'handled';
  }

  /** After the hypervisor handled a trap or a callout of guest `g`: halt, or go on with it or another VM. */
  #afterExit(g: VmGuest): void {
    if (this.guests.length === 1) {
      const reason = g.haltReason;
      if (reason !== undefined) this.board.halt.request(reason);
      else if (g.exits.faultLoop !== undefined) this.hart.faultLoop = g.exits.faultLoop;
    } else {
      this.#schedule();
    }
  }

  /** The translator's hooks for binary translation of virtual-S code. */
  #translationHooks(): TranslationHooks {
    return {
      mode: () => (this.guests[this.#cur]!.vm.vcpu.priv === 1 ? 1 : 0),
      // Sensitive instructions become callouts; everything else is emitted as its own semantics.
      emit: (_word, form, semantics) => (form !== undefined && (form.cls === 'csr' || CALLOUT_MNEMONICS.has(form.mnemonic)) ? CALLOUT : semantics),
      callout: (word, pc) => {
        const g = this.guests[this.#cur]!;
        g.exits.callout(word, pc);
        this.#afterExit(g);
      },
      translated: (n) => this.#host.chargeEvent('vmm.bt.translate', n),
    };
  }

  /** After a trap with several VMs: halt, keep the current VM, or switch to the next runnable one. */
  #schedule(): void {
    const guests = this.guests;
    const halted = guests.filter((x) => x.vm.halted).length;
    const done = guests.filter((x) => x.done).length;
    if (done === guests.length || (halted > 0 && this.#until === 'any')) {
      // Every VM has ended (or, with until 'any', one powered off): the first halt is the board's;
      // when none halted, they all stopped in fault loops, and the run stops as the hart's would.
      const first = guests.find((x) => x.haltReason !== undefined);
      if (first !== undefined) this.board.halt.request(first.haltReason!);
      else this.hart.faultLoop = guests[this.#cur]!.exits.faultLoop;
      return;
    }
    for (const x of guests) if (!x.vm.running) x.vm.pollTimer();
    const cur = guests[this.#cur]!;
    const now = this.board.clock.mtime;
    if (!cur.runnable || now >= this.#sliceEnd) {
      // Round robin from the VM after the current one; the current one last.
      let pick = -1;
      for (let k = 1; k <= guests.length && pick < 0; k++) if (guests[(this.#cur + k) % guests.length]!.runnable) pick = (this.#cur + k) % guests.length;
      if (pick < 0) {
        // Nobody can run: sleep in a VM that waits (the current one unless it has halted) until a timer.
        for (let k = 0; k < guests.length && pick < 0; k++) if (!guests[(this.#cur + k) % guests.length]!.done) pick = (this.#cur + k) % guests.length;
      }
      if (pick !== this.#cur) this.#switchTo(pick);
      this.#sliceEnd = now + this.#slice;
    }
    const g = guests[this.#cur]!;
    if (g.runnable) {
      if (g.vm.vcpu.waiting) g.vm.vcpu.waiting = false; // woken while off the hart: WFI completes
      this.#host.wake();
    } else {
      this.#host.sleep();
      this.#idleSince = this.board.clock.cycles;
    }
    this.#armHostTimer();
  }

  #switchTo(i: number): void {
    const from = this.guests[this.#cur]!;
    const to = this.guests[i]!;
    this.#host.chargeEvent('vmm.vm_switch'); // on the outgoing VM's account: its slice ends with it
    from.saveContext(0);
    to.loadContext();
    this.#cur = i;
    this.vmSwitches++;
    to.exits.resume();
  }

  /**
   * The host timer: the current VM's next timer event or the end of its slice; while the hart
   * sleeps, the earliest timer event of any VM (any of them may be the one to wake).
   */
  #armHostTimer(): void {
    let when = this.guests[this.#cur]!.vm.timerDue ?? Infinity;
    const others = this.guests.some((x, i) => i !== this.#cur && !x.done);
    if (others) when = Math.min(when, this.#sliceEnd);
    if (!this.guests[this.#cur]!.runnable) for (const x of this.guests) if (!x.done && x.vm.timerDue !== undefined) when = Math.min(when, x.vm.timerDue);
    this.#host.setHostTimer(when === Infinity ? undefined : when);
  }
}
