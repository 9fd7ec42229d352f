/**
 * The para-virtualizing hypervisor: owns M-mode of a board's hart through the hart's monitor
 * interface and runs one or more domains on it, Xen-style. A domain's kernel and its processes
 * run in real U-mode; the kernel asks for privileged work by hypercall (abi.ts), its page tables
 * are the hart's (direct-paging.ts), traps and events reach it through callbacks it registered,
 * and its disk is behind a shared ring (block-backend.ts). Host RAM is laid out as
 * [domain 0 | domain 1 | ... | hypervisor pool].
 */
import { CAUSE, IRQ } from '@virtlab/cpu-core';
import type { GuestMemory, Hart, HartMonitor, IsaProfile, TrapInfo } from '@virtlab/cpu-core';
import { createEngine } from '@virtlab/emulator';
import type { Engine, EngineKind } from '@virtlab/emulator';
import type { VirtBoard } from '@virtlab/hw-model';
import { GuestMemory as DomainMemory, HostPort, loadVm } from '@virtlab/lab-kit';
import { CAUSE_EVENT, CRASH_EXIT_CODE, ERR, HYPERCALL_BY_ID, MMU_UPDATE_MAX, MMU_UPDATE_SIZE, MULTICALL, PARA_EID, PORT, PORT_COUNT, SCHED, SHARED, SHUTDOWN_CRASH, TRAPFRAME } from './abi.js';
import type { HypercallName } from './abi.js';
import { BlockBackend } from './block-backend.js';
import { DirectPaging, MAX_VIEWS, PAGE, PagePool, ParaError, fixedPoolPages } from './direct-paging.js';

export class HypervisorError extends Error {
  override name = 'HypervisorError';
}

export interface DomainConfig {
  /** The kernel ELF (the para kernel, linked for 0x8040_0000: domain 0 only) ... */
  readonly kernel?: Uint8Array;
  readonly initrd?: Uint8Array;
  readonly bootargs?: string;
  /** ... or raw code placed at the domain's RAM base and entered there (tests, probes). */
  readonly code?: Int32Array;
  /** RAM in bytes (whole 4 MiB). */
  readonly ramSize: number;
  /** The disk behind the block ring (served in place: pass a private copy). */
  readonly disk?: Uint8Array;
  readonly consoleInput?: string | Uint8Array;
  /** Where the domain's console bytes go (default: the board's UART for domain 0, dropped for others). */
  readonly onConsoleOutput?: (byte: number) => void;
}

export interface ParaHypervisorOptions {
  readonly domains: readonly DomainConfig[];
  /** Pages of hypervisor memory after the domains (kernel views, direct maps); default 512. */
  readonly poolPages?: number;
  /** Lab-time ticks a domain runs before another runnable one gets the hart (default 10 ms). */
  readonly sliceTicks?: number;
  readonly profile?: IsaProfile | 'rv32ima' | 'legacy';
  readonly hartId?: number;
  readonly engine?: EngineKind;
}

const MiB4 = 4 << 20;
const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

/** One domain: its RAM slice, its virtual CPU's state, its callbacks, events, timer and I/O. */
export class Domain {
  readonly kernelAsid: number;
  readonly userAsid: number;
  mode: 'kernel' | 'user' = 'kernel';
  /** Registers and pc while another domain has the hart. */
  readonly regs = new Int32Array(32);
  pc = 0;
  trapEntry: number | undefined;
  faultEntry: number | undefined;
  shared: number | undefined;
  /** The trapframe the last iret resumed: where the next user trap is saved. */
  userFrame: number | undefined;
  timerDue: number | undefined;
  /** Pending events before the shared page is registered. */
  earlyPending = 0;
  blocked = false;
  inKernelFault = false;
  exitCode: number | undefined;
  readonly input: Uint8Array;
  #inputPos = 0;
  readonly block: BlockBackend | undefined;
  readonly counters = { hypercalls: 0, bounces: 0, upcalls: 0, kernelFaults: 0 };
  readonly byKind = new Map<HypercallName, number>();

  constructor(
    readonly id: number,
    readonly base: number,
    readonly size: number,
    readonly config: DomainConfig,
    mem: GuestMemory,
    paging: DirectPaging,
  ) {
    this.kernelAsid = 1 + 2 * id;
    this.userAsid = 2 + 2 * id;
    const inp = config.consoleInput;
    this.input = typeof inp === 'string' ? new TextEncoder().encode(inp) : (inp ?? new Uint8Array());
    this.block = config.disk === undefined ? undefined : new BlockBackend(id, config.disk, mem, paging);
  }

  get done(): boolean {
    return this.exitCode !== undefined;
  }

  get runnable(): boolean {
    return !this.done && !this.blocked;
  }

  getchar(): number {
    return this.#inputPos < this.input.length ? this.input[this.#inputPos++]! : -1;
  }
}

type CallResult = readonly [error: number, value: number] | 'transferred';

export class ParaHypervisor implements HartMonitor {
  readonly engine: Engine;
  readonly hart: Hart;
  readonly domains: Domain[] = [];
  readonly paging: DirectPaging;
  readonly #host: HostPort;
  readonly #mem: GuestMemory;
  readonly #sliceTicks: number;
  #current: Domain;
  #sliceEnd = 0;
  strayTraps = 0;
  domainSwitches = 0;

  constructor(
    readonly board: VirtBoard,
    options: ParaHypervisorOptions,
  ) {
    if (options.domains.length === 0 || options.domains.length > 8) throw new HypervisorError(`1 to 8 domains, got ${options.domains.length}`);
    const poolPages = options.poolPages ?? 512;
    this.#sliceTicks = options.sliceTicks ?? board.clock.timebaseFrequency / 100;
    this.engine = createEngine(options.engine ?? 'interp', board, {
      monitor: this,
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      ...(options.hartId === undefined ? {} : { hartId: options.hartId }),
    });
    this.hart = this.engine.hart;
    this.#host = new HostPort(this.hart, board);
    this.#mem = this.hart.port.phys;
    const ramBase = board.bus.ramBase;
    let at = ramBase;
    const slices = options.domains.map((d, i) => {
      if (!Number.isSafeInteger(d.ramSize) || d.ramSize <= 0 || d.ramSize % MiB4 !== 0) throw new HypervisorError(`domain ${i}: ramSize must be a positive multiple of 4 MiB, got ${String(d.ramSize)}`);
      const base = at;
      at += d.ramSize;
      return base;
    });
    const poolBase = at;
    if (!Number.isSafeInteger(poolPages) || poolPages < 8 || poolBase + poolPages * PAGE > ramBase + board.ramSize) {
      throw new HypervisorError(`domains of ${hex(poolBase - ramBase)} bytes and a pool of ${poolPages} pages do not fit the board's ${hex(board.ramSize)} bytes of RAM`);
    }
    const pool = new PagePool(this.#mem, poolBase, poolPages);
    // The pool is shared out: each domain's direct map and boot view, then an equal share of roots.
    const fixed = options.domains.reduce((n, d) => n + fixedPoolPages(d.ramSize), 0);
    const views = Math.min(MAX_VIEWS, Math.floor((poolPages - fixed) / options.domains.length));
    if (views < 2) throw new HypervisorError(`a pool of ${poolPages} pages leaves fewer than 2 roots per domain after the direct maps (${fixed} pages)`);
    this.paging = new DirectPaging(this.#mem, ramBase, board.ramSize, pool, (va, asid) => this.#host.flushTlb(va, asid), (e, n) => this.#host.chargeEvent(e, n), views);
    options.domains.forEach((config, i) => {
      const d = new Domain(i, slices[i]!, config.ramSize, config, this.#mem, this.paging);
      this.paging.addDomain(d);
      this.#boot(d);
      this.domains.push(d);
    });
    this.#current = this.domains[0]!;
    const host = this.#host;
    host.deprivilege();
    // The guest kernel and its processes read time, cycle and instret themselves (priv 3.1.11, 4.1.5).
    host.writeCsr(0x306, 7); // mcounteren
    host.writeCsr(0x106, 7); // scounteren
    this.#load(this.#current);
    this.#sliceEnd = board.clock.mtime + this.#sliceTicks;
    this.#armHostTimer();
  }

  /** Console bytes of domain `id` that went to its own sink (see DomainConfig.onConsoleOutput). */
  get current(): Domain {
    return this.#current;
  }

  /** The counters a run report carries (`para.*`). */
  counters(): Record<string, number> {
    const out: Record<string, number> = {};
    const d0 = this.domains[0]!;
    let total = 0;
    for (const d of this.domains) total += d.counters.hypercalls;
    out['para.hypercalls'] = total;
    for (const [k, n] of d0.byKind) out[`para.hc.${k}`] = n;
    out['para.bounces'] = d0.counters.bounces;
    out['para.upcalls'] = d0.counters.upcalls;
    for (const [k, n] of Object.entries(this.paging.counters) as [string, number][]) out[`para.paging.${k}`] = n;
    if (d0.block !== undefined) for (const [k, n] of Object.entries(d0.block.counters) as [string, number][]) out[`para.block.${k}`] = n;
    out['para.domain_switches'] = this.domainSwitches;
    out['para.stray_traps'] = this.strayTraps;
    return out;
  }

  onTrap(_hart: Hart, trap: TrapInfo): 'handled' | 'deliver' {
    if (trap.from !== 0) {
      this.strayTraps++;
      return 'deliver';
    }
    this.#host.chargeEvent('para.entry');
    const d = this.#current;
    if (trap.interrupt) {
      if (trap.code === IRQ.MTI) this.#timer();
    } else if (d.mode === 'user') {
      this.#bounce(d, trap.cause, trap.tval, trap.epc, 'para.bounce');
    } else if (trap.code === CAUSE.ecallU) {
      this.#hypercall(d, trap.epc);
    } else {
      this.#kernelFault(d, trap);
    }
    this.#schedule();
    this.#deliverEvents();
    return 'handled';
  }

  // --- boot and domain switching -------------------------------------------------------------

  #boot(d: Domain): void {
    const c = d.config;
    d.regs[10] = this.hart.hartId;
    if (c.kernel !== undefined) {
      const state = loadVm(new DomainMemory(this.board.bus, d.base, d.base, d.size), { kernel: c.kernel, ...(c.initrd === undefined ? {} : { initrd: c.initrd }), ...(c.bootargs === undefined ? {} : { bootargs: c.bootargs }) }, this.board.clock.timebaseFrequency);
      d.regs[11] = state.fdtAddress;
      d.pc = state.entry;
    } else if (c.code !== undefined) {
      const bytes = new Uint8Array(c.code.buffer, c.code.byteOffset, c.code.byteLength);
      if (bytes.length > d.size) throw new HypervisorError(`domain ${d.id}: ${bytes.length} bytes of code do not fit its RAM`);
      this.#mem.writeBytes(d.base, bytes);
      d.regs[11] = d.base + d.size; // a1: the end of its RAM
      d.pc = d.base;
    } else {
      throw new HypervisorError(`domain ${d.id}: give a kernel ELF or code`);
    }
  }

  /** Puts domain d on the hart: its registers, pc and the satp of its mode. */
  #load(d: Domain): void {
    const h = this.#host;
    for (let i = 1; i < 32; i++) h.writeReg(i, d.regs[i]!);
    h.pc = d.pc;
    h.setSatp(this.#satp(d));
    h.privilege = 0;
  }

  #save(d: Domain): void {
    for (let i = 1; i < 32; i++) d.regs[i] = this.#host.readReg(i);
    d.pc = this.#host.pc;
  }

  #satp(d: Domain): number {
    return d.mode === 'user' ? (this.paging.userSatp(d.id) ?? this.paging.kernelSatp(d.id)) : this.paging.kernelSatp(d.id);
  }

  /** Round robin among runnable domains when the current one cannot run or its slice is over. */
  #schedule(): void {
    const cur = this.#current;
    const now = this.board.clock.mtime;
    const mustLeave = !cur.runnable;
    if (!mustLeave && now < this.#sliceEnd) return;
    const n = this.domains.length;
    let next: Domain | undefined;
    for (let k = 1; k <= n; k++) {
      const d = this.domains[(cur.id + k) % n]!;
      if (d.runnable) {
        next = d;
        break;
      }
    }
    this.#sliceEnd = now + this.#sliceTicks;
    if (next === undefined) {
      if (this.domains.every((d) => d.done)) {
        this.board.halt.request({ kind: 'poweroff', exitCode: this.domains[0]!.exitCode ?? 0 });
      } else if (mustLeave) {
        this.#host.sleep(); // every domain waits: the hart sleeps until the next timer
      }
      this.#armHostTimer();
      return;
    }
    if (next !== cur) {
      this.#save(cur);
      this.#current = next;
      this.#load(next);
      this.domainSwitches++;
      this.#host.chargeEvent('para.domain_switch');
    }
    this.#armHostTimer();
  }

  /** The host timer: the earliest domain timer, and the slice's end when another domain could run. */
  #armHostTimer(): void {
    let when: number | undefined;
    for (const d of this.domains) if (!d.done && d.timerDue !== undefined && (when === undefined || d.timerDue < when)) when = d.timerDue;
    if (this.domains.filter((d) => !d.done).length > 1 && (when === undefined || this.#sliceEnd < when)) when = this.#sliceEnd;
    this.#host.setHostTimer(when);
  }

  #timer(): void {
    const now = this.board.clock.mtime;
    for (const d of this.domains) {
      if (d.timerDue !== undefined && now >= d.timerDue) {
        d.timerDue = undefined;
        this.#raise(d, PORT.timer);
      }
    }
    this.#armHostTimer();
  }

  // --- events --------------------------------------------------------------------------------

  #pending(d: Domain): number {
    return d.shared === undefined ? d.earlyPending : this.#mem.read(d.shared + SHARED.pending) >>> 0;
  }

  /** Sets port's pending bit and wakes the domain if it blocked. */
  #raise(d: Domain, port: number): void {
    if (d.shared === undefined) d.earlyPending |= 1 << port;
    else this.#mem.write(d.shared + SHARED.pending, this.#pending(d) | (1 << port));
    d.blocked = false;
  }

  /** An upcall when the current domain is in user mode with an unmasked event pending. */
  #deliverEvents(): void {
    const d = this.#current;
    if (d.mode !== 'user' || d.shared === undefined || d.done) return;
    const mask = this.#mem.read(d.shared + SHARED.mask) >>> 0;
    if ((this.#pending(d) & ~mask) === 0) return;
    this.#mem.write(d.shared + SHARED.upcalls, (this.#mem.read(d.shared + SHARED.upcalls) + 1) | 0);
    this.#bounce(d, CAUSE_EVENT, 0, this.#host.pc, 'para.upcall');
  }

  /** Saves the user context into the domain's trapframe and enters its trap callback in the kernel view. */
  #bounce(d: Domain, cause: number, tval: number, epc: number, event: 'para.bounce' | 'para.upcall'): void {
    const tf = d.userFrame;
    if (tf === undefined || d.trapEntry === undefined || !this.paging.plainMemory(d.id, tf, TRAPFRAME.size)) {
      this.#crash(d, `cannot deliver a trap (cause ${hex(cause)}): no trap callback, or the trapframe ${tf === undefined ? '(none)' : hex(tf)} is not plain memory of the domain`);
      return;
    }
    const h = this.#host;
    this.#mem.write(tf, 0);
    for (let i = 1; i < 32; i++) this.#mem.write(tf + 4 * i, h.readReg(i));
    this.#mem.write(tf + TRAPFRAME.pc, epc);
    this.#mem.write(tf + TRAPFRAME.cause, cause);
    this.#mem.write(tf + TRAPFRAME.tval, tval);
    d.mode = 'kernel';
    if (d.shared !== undefined) this.#mem.write(d.shared + SHARED.upcall_mask, 1);
    h.setSatp(this.paging.kernelSatp(d.id));
    h.writeReg(2, tf);
    h.writeReg(10, tf);
    h.pc = d.trapEntry;
    if (event === 'para.upcall') d.counters.upcalls++;
    else d.counters.bounces++;
    h.chargeEvent(event);
  }

  #kernelFault(d: Domain, trap: TrapInfo): void {
    d.counters.kernelFaults++;
    if (d.faultEntry === undefined || d.inKernelFault) {
      this.#crash(d, `kernel fault (cause ${hex(trap.cause)}, pc ${hex(trap.epc)}, tval ${hex(trap.tval)}) ${d.inKernelFault ? 'inside its fault handler' : 'before it registered a fault callback'}`);
      return;
    }
    d.inKernelFault = true;
    const h = this.#host;
    h.writeReg(10, trap.cause);
    h.writeReg(11, trap.epc);
    h.writeReg(12, trap.tval);
    h.pc = d.faultEntry;
  }

  #crash(d: Domain, why: string): void {
    this.#console(d, new TextEncoder().encode(`[vmm-para] domain ${d.id} crashed: ${why}\n`));
    d.exitCode = CRASH_EXIT_CODE;
  }

  #console(d: Domain, bytes: Uint8Array): void {
    const sink = d.config.onConsoleOutput ?? (d.id === 0 ? (b: number) => this.board.uart.write(0, b, 1) : undefined);
    if (sink !== undefined) for (const b of bytes) sink(b);
  }

  // --- hypercalls ----------------------------------------------------------------------------

  #hypercall(d: Domain, epc: number): void {
    const h = this.#host;
    const eid = h.readReg(17) >>> 0;
    const fid = h.readReg(16) >>> 0;
    const args = [h.readReg(10), h.readReg(11), h.readReg(12), h.readReg(13), h.readReg(14)].map((v) => v >>> 0);
    h.pc = epc + 4;
    const result: CallResult = eid !== PARA_EID ? [ERR.not_supported, 0] : this.#call(d, fid, args, true);
    if (result === 'transferred') return;
    if (this.#current === d && !d.done) {
      h.writeReg(10, result[0]);
      h.writeReg(11, result[1]);
    }
  }

  /** One hypercall; `top` is false inside a multicall (where iret, sched_op and multicall are refused). */
  #call(d: Domain, fid: number, a: readonly number[], top: boolean): CallResult {
    const name = HYPERCALL_BY_ID[fid];
    if (name === undefined) return [ERR.not_supported, 0];
    d.counters.hypercalls++;
    d.byKind.set(name, (d.byKind.get(name) ?? 0) + 1);
    this.#host.chargeEvent(`para.hc.${name}`);
    if (!top && (name === 'iret' || name === 'sched_op' || name === 'multicall')) return [ERR.not_supported, 0];
    try {
      return this.#perform(d, name, a);
    } catch (error) {
      if (error instanceof ParaError) return [error.code, 0];
      throw error;
    }
  }

  #perform(d: Domain, name: HypercallName, a: readonly number[]): CallResult {
    const mem = this.#mem;
    const [a0 = 0, a1 = 0, a2 = 0] = a;
    switch (name) {
      case 'set_callbacks': {
        if (a2 % PAGE !== 0 || !this.paging.plainMemory(d.id, a2, PAGE)) throw new ParaError(ERR.invalid_address, `shared-info page ${hex(a2)} is not a page of the domain's plain RAM`);
        d.trapEntry = a0;
        d.faultEntry = a1;
        d.shared = a2;
        mem.write(a2 + SHARED.pending, d.earlyPending);
        mem.write(a2 + SHARED.upcall_mask, 1);
        return [ERR.success, 0];
      }
      case 'iret':
        return this.#iret(d, a0);
      case 'set_timer': {
        d.timerDue = a1 * 2 ** 32 + a0;
        if (d.shared !== undefined) mem.write(d.shared + SHARED.pending, this.#pending(d) & ~(1 << PORT.timer));
        else d.earlyPending &= ~(1 << PORT.timer);
        this.#timer();
        return [ERR.success, 0];
      }
      case 'console_write': {
        const n = Math.min(a1, PAGE);
        if (n === 0) return [ERR.success, 0];
        if (!this.paging.ownedMemory(d.id, a0, n)) throw new ParaError(ERR.invalid_address, `console_write: ${hex(a0)}+${n} is not the domain's RAM`);
        this.#console(d, mem.readBytes(a0, n));
        return [ERR.success, n];
      }
      case 'console_read': {
        const c = d.getchar();
        return c < 0 ? [ERR.failed, 0] : [ERR.success, c];
      }
      case 'mmu_update': {
        if (a1 > MMU_UPDATE_MAX) throw new ParaError(ERR.invalid_param, `mmu_update: ${a1} entries (at most ${MMU_UPDATE_MAX})`);
        if (a1 === 0) return [ERR.success, 0];
        if (!this.paging.ownedMemory(d.id, a0, a1 * MMU_UPDATE_SIZE)) throw new ParaError(ERR.invalid_address, `mmu_update: request list ${hex(a0)}+${a1 * MMU_UPDATE_SIZE} is not the domain's RAM`);
        for (let i = 0; i < a1; i++) {
          const at = a0 + i * MMU_UPDATE_SIZE;
          try {
            this.paging.update(d.id, mem.read(at), mem.read(at + 4));
          } catch (error) {
            if (error instanceof ParaError) return [error.code, i];
            throw error;
          }
        }
        return [ERR.success, a1];
      }
      case 'pin_table':
        this.paging.pin(d.id, a0, a1);
        return [ERR.success, 0];
      case 'unpin_table':
        this.paging.unpin(d.id, a0);
        return [ERR.success, 0];
      case 'new_baseptr':
        this.paging.setBase(d.id, a0);
        this.#host.setSatp(this.paging.kernelSatp(d.id));
        return [ERR.success, 0];
      case 'tlb_flush':
        this.paging.flushDomain(d.id, a1 === 1 ? undefined : a0);
        return [ERR.success, 0];
      case 'evtchn_send': {
        if (a0 !== PORT.block || d.block === undefined) throw new ParaError(ERR.invalid_param, `evtchn_send: port ${a0} has no other end`);
        const served = d.block.serve((e, n) => this.#host.chargeEvent(e, n));
        if (served > 0) {
          d.block.counters.notifications++;
          this.#host.chargeEvent('para.ring.notify');
          this.#raise(d, PORT.block);
        }
        return [ERR.success, served];
      }
      case 'evtchn_unmask': {
        if (a0 >= PORT_COUNT || d.shared === undefined) throw new ParaError(ERR.invalid_param, `evtchn_unmask: port ${a0}`);
        mem.write(d.shared + SHARED.mask, (mem.read(d.shared + SHARED.mask) & ~(1 << a0)) | 0);
        return [ERR.success, 0];
      }
      case 'sched_op':
        return this.#schedOp(d, a0, a1);
      case 'multicall': {
        if (a1 > MULTICALL.maxEntries) throw new ParaError(ERR.invalid_param, `multicall: ${a1} entries (at most ${MULTICALL.maxEntries})`);
        if (a1 === 0) return [ERR.success, 0];
        if (!this.paging.plainMemory(d.id, a0, a1 * MULTICALL.size)) throw new ParaError(ERR.invalid_address, `multicall: list ${hex(a0)}+${a1 * MULTICALL.size} is not plain memory of the domain`);
        for (let i = 0; i < a1; i++) {
          const at = a0 + i * MULTICALL.size;
          const fid = mem.read(at) >>> 0;
          const args = [1, 2, 3, 4, 5].map((k) => mem.read(at + 4 * k) >>> 0);
          this.#host.chargeEvent('para.multicall_entry');
          const r = this.#call(d, fid, args, false);
          const [err, value] = r === 'transferred' ? [ERR.failed, 0] : r;
          mem.write(at + MULTICALL.error, err);
          mem.write(at + MULTICALL.value, value);
        }
        return [ERR.success, a1];
      }
      case 'blk_connect': {
        if (d.block === undefined) throw new ParaError(ERR.not_supported, 'blk_connect: the domain has no disk');
        d.block.connect(a0);
        return [ERR.success, d.block.capacitySectors];
      }
    }
  }

  #iret(d: Domain, tf: number): CallResult {
    if (tf % 4 !== 0 || !this.paging.plainMemory(d.id, tf, TRAPFRAME.size)) throw new ParaError(ERR.invalid_address, `iret: trapframe ${hex(tf)} is not plain memory of the domain`);
    const satp = this.paging.userSatp(d.id);
    if (satp === undefined) throw new ParaError(ERR.invalid_param, 'iret: no page table installed (new_baseptr)');
    const h = this.#host;
    for (let i = 1; i < 32; i++) h.writeReg(i, this.#mem.read(tf + 4 * i));
    h.pc = this.#mem.read(tf + TRAPFRAME.pc);
    d.mode = 'user';
    d.userFrame = tf;
    if (d.shared !== undefined) this.#mem.write(d.shared + SHARED.upcall_mask, 0);
    h.setSatp(satp);
    return 'transferred';
  }

  #schedOp(d: Domain, cmd: number, status: number): CallResult {
    switch (cmd) {
      case SCHED.yield:
        this.#sliceEnd = 0; // the next runnable domain, if any, gets the hart
        return [ERR.success, 0];
      case SCHED.block:
        if (this.#pending(d) === 0) d.blocked = true;
        return [ERR.success, 0];
      case SCHED.shutdown:
        d.exitCode = status === SHUTDOWN_CRASH ? CRASH_EXIT_CODE : status & 0xff;
        return [ERR.success, 0];
      default:
        throw new ParaError(ERR.invalid_param, `sched_op: unknown command ${cmd}`);
    }
  }
}
