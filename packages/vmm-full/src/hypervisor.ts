/**
 * The hypervisor: owns M-mode of a board's hart through the hart's monitor interface and runs one
 * VM on it by trap-and-emulate. The guest kernel (virtual S) and its processes (virtual U) run in
 * real U-mode on shadow page tables; every trap reaches `onTrap` and is emulated or reflected
 * (vcpu-exit.ts). Host RAM is laid out as [shadow pool | VM slice].
 */
import type { Hart, HartMonitor, IsaProfile, TrapInfo } from '@virtlab/cpu-core';
import { createEngine } from '@virtlab/emulator';
import type { Engine, EngineKind } from '@virtlab/emulator';
import type { VirtBoard } from '@virtlab/hw-model';
import { VcpuExits } from './vcpu-exit.js';
import type { ExitCounters } from './vcpu-exit.js';
import { VirtualMachine } from './virtual-machine.js';
import { HostPort, loadVm } from '@virtlab/lab-kit';
import type { VmBootState, VmImages } from '@virtlab/lab-kit';

export class HypervisorError extends Error {
  override name = 'HypervisorError';
}

export interface HypervisorOptions {
  readonly vm: VmImages & {
    /** Guest RAM in bytes; default: all host RAM after the shadow pool. */
    readonly ramSize?: number;
    readonly consoleInput?: string | Uint8Array;
    /** A disk for the VM's virtio-blk, DMA through the VM's window (written in place: pass a private copy). */
    readonly disk?: Uint8Array;
  };
  /** Pages of host RAM for shadow tables, at the bottom of host RAM (default 1024: 4 MiB). */
  readonly shadowPoolPages?: number;
  readonly profile?: IsaProfile | 'rv32ima' | 'legacy';
  readonly hartId?: number;
  /** What runs the hart: cpu-core's interpreter (`interp`, default) or the emulator's translator (`dbt`). */
  readonly engine?: EngineKind;
}

const PAGE = 4096;
const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

export class Hypervisor implements HartMonitor {
  /** What runMachine drives: the engine running the hart. */
  readonly engine: Engine;
  readonly hart: Hart;
  readonly vm: VirtualMachine;
  readonly boot: VmBootState;
  readonly #host: HostPort;
  readonly #exits: VcpuExits;
  /** Traps that came from real S or M-mode: the hypervisor's own mistake, never the guest's. */
  strayTraps = 0;

  constructor(
    readonly board: VirtBoard,
    options: HypervisorOptions,
  ) {
    const poolPages = options.shadowPoolPages ?? 1024;
    const pool = poolPages * PAGE;
    const ramSize = options.vm.ramSize ?? board.ramSize - pool;
    if (!Number.isSafeInteger(poolPages) || poolPages < 3) throw new HypervisorError(`shadowPoolPages must be an integer >= 3, got ${String(poolPages)}`);
    if (!Number.isSafeInteger(ramSize) || ramSize <= 0 || ramSize % PAGE !== 0 || pool + ramSize > board.ramSize) {
      throw new HypervisorError(`VM RAM of ${hex(ramSize)} bytes plus a shadow pool of ${hex(pool)} bytes does not fit the board's ${hex(board.ramSize)} bytes of RAM`);
    }
    this.engine = createEngine(options.engine ?? 'interp', board, {
      monitor: this,
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      ...(options.hartId === undefined ? {} : { hartId: options.hartId }),
    });
    this.hart = this.engine.hart;
    this.#host = new HostPort(this.hart, board);
    const ramBase = board.bus.ramBase;
    this.vm = new VirtualMachine(board, this.hart, this.#host, {
      ramSize,
      hostBase: ramBase + pool,
      shadowPoolBase: ramBase,
      shadowPoolPages: poolPages,
      consoleInput: options.vm.consoleInput,
      ...(options.vm.disk === undefined ? {} : { disk: options.vm.disk }),
      onConsoleOutput: (b) => board.uart.write(0, b, 1),
    });
    this.boot = loadVm(this.vm.memory, options.vm, board.clock.timebaseFrequency);
    this.#exits = new VcpuExits(this.vm, this.#host);
    this.#enter();
  }

  /** Exits by reason, hidden and reflected faults, interrupts delivered. */
  get exits(): ExitCounters {
    return this.#exits.counters;
  }

  /** The counters a run report carries for the hypervisor (`vmm.*`). */
  counters(): Record<string, number> {
    const c = this.#exits.counters;
    const s = this.vm.shadow.counters;
    const out: Record<string, number> = {};
    let total = 0;
    for (const [reason, n] of Object.entries(c.exits)) {
      out[`vmm.exit.${reason}`] = n;
      total += n;
    }
    out['vmm.exits'] = total;
    out['vmm.fault.hidden'] = c.hiddenFaults;
    out['vmm.fault.reflected'] = c.reflectedFaults;
    out['vmm.interrupts'] = c.interrupts;
    out['vmm.emulated_instructions'] = this.vm.emulated;
    for (const [k, n] of Object.entries(s) as [string, number][]) out[`vmm.shadow.${k}`] = n;
    out['vmm.stray_traps'] = this.strayTraps;
    return out;
  }

  onTrap(_hart: Hart, trap: TrapInfo): 'handled' | 'deliver' {
    if (trap.from !== 0) {
      // Only the guest runs on the hart, always in U-mode: let the hart's own trap path show it.
      this.strayTraps++;
      return 'deliver';
    }
    this.#exits.handle(trap);
    const reason = this.vm.devices.halt.reason;
    if (reason !== undefined) this.board.halt.request(reason);
    return 'handled';
  }

  /** The vcpu at the kernel's entry in virtual S-mode, a0 = hart id, a1 = device tree (Linux RISC-V boot protocol). */
  #enter(): void {
    const host = this.#host;
    host.deprivilege();
    host.setHostTimer(undefined);
    this.vm.vcpu.priv = 1;
    host.writeReg(10, this.hart.hartId);
    host.writeReg(11, this.boot.fdtAddress);
    host.pc = this.boot.entry;
    this.#exits.resume();
  }
}
