/**
 * One RV32IMA hart with M, S and U modes (priv 1.12), Sv32 with a modeled TLB, PMP, and a
 * predecoded interpreter.
 *
 * Speed design: code is predecoded per physical 4 KiB page into typed arrays (one packed int per
 * instruction: handler id | rd << 7 | rs1 << 13 | rs2 << 19 | cost << 25, plus an immediate), and the run loop
 * is one switch over the handler id. Writes to x0 go to a sink register 32, so x0 reads 0 without
 * a per-instruction reset. Lab cycles are charged from a per-handler cost table; interrupts are
 * looked at only when the clock reaches the platform's next event or after MMIO and CSR writes.
 * Stores into a predecoded page clear that instruction's entry, which is decoded again when
 * reached: self-modifying code is always seen, as on QEMU.
 */
import { BusError, INSTRUCTION_CLASSES } from '@virtlab/hw-model';
import type { Bus, HaltReason, HartPlatform, InstructionClass, LabClock } from '@virtlab/hw-model';
import { ALL_IRQS, CAUSE, CSR, EXCEPTION_NAMES, INTERRUPT_NAMES, MSTATUS, csrPrivilege, csrReadOnly } from './csr.js';
import type { Privilege } from './csr.js';
import { FORM_BY_OP, OP_COUNT, OP_ILLEGAL, OP_PAGE_END, decodeForm, field, imm, operandImmediate } from './decoder-table.js';
import { disassemble } from './disassemble.js';
import { RV32IMA_PROFILE, isaProfile } from './isa-profile.js';
import type { IsaProfile } from './isa-profile.js';
import { readCsrOf, writeCsrOf } from './csr-file.js';
import { raise, serviceInterrupts, takeTrap, waitForInterrupt } from './traps.js';
import { MmioClaims, MonitorPort } from './hypervisor-port.js';
import { PMP_R, PMP_W, PMP_X, Pmp } from './pmp.js';
import {
  ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE, PTE, Sv32Walker, WALK_ACCESS_FAULT, WALK_OK, accessFaultCause, pageFaultCause, ptePermits,
} from './sv32-walk.js';
import type { AccessKind } from './sv32-walk.js';
import { FAST_EXEC, FAST_READ, FAST_WRITE, Tlb } from './tlb.js';
import { EXIT_DECODE, EXIT_JUMP, EXIT_LIMIT, EXIT_PAGE_END, FastState, TLB_AREA, fastLoop } from './fast-loop.js';

const SLOT = 1025; // 1024 instructions and the page-end sentinel
const CHUNK = 1 << 24;

/** Why `run` returned. `run` never throws for anything the guest does. */
export type StopReason =
  | { readonly kind: 'halted'; readonly halt: HaltReason }
  | { readonly kind: 'budget' }
  /** WFI with no interrupt that could ever wake the hart. */
  | { readonly kind: 'deadlock'; readonly pc: number }
  /** The trap handler itself faults with the same cause, over and over (e.g. a jump into nothing with no handler). */
  | { readonly kind: 'fault-loop'; readonly cause: number; readonly pc: number; readonly tval: number; readonly description: string };

export interface RunResult {
  readonly stop: StopReason;
  /** Instructions retired by this call. */
  readonly instructions: number;
  readonly pc: number;
}

/** What a monitor is told about a trap bound for M-mode, before the hart vectors to mtvec. */
export interface TrapInfo {
  /** Exception code or interrupt number (without the interrupt bit). */
  readonly code: number;
  readonly interrupt: boolean;
  /** The mcause value the trap would write. */
  readonly cause: number;
  readonly tval: number;
  readonly epc: number;
  /** Privilege the trap came from. */
  readonly from: Privilege;
}

/**
 * A hypervisor or firmware written in TypeScript. `onTrap` sees every trap bound for M-mode;
 * returning 'handled' resumes the hart with whatever state the monitor left (through
 * `hart.port`), 'deliver' lets the hart vector to mtvec as usual.
 */
export interface HartMonitor {
  onTrap(hart: Hart, trap: TrapInfo): 'handled' | 'deliver';
}

export interface HartOptions {
  readonly hartId?: number;
  readonly profile?: IsaProfile | 'rv32ima' | 'legacy';
  /** Modeled TLB entries (power of two); default 64. */
  readonly tlbEntries?: number;
  /** Physical pages whose predecoded form is cached; default 256 (1 MiB of code). */
  readonly predecodePages?: number;
  readonly resetPc?: number;
  readonly monitor?: HartMonitor;
}

export class HartError extends Error {
  override name = 'HartError';
}

/** Cycles from `base` until `next`, as an int32 the run loop can compare against (capped). */
function limitFrom(next: number, base: number): number {
  const d = next - base;
  return d >= 0x3fffffff ? 0x3fffffff : d <= 0 ? 0 : d | 0;
}

const EVENT_NAMES = [
  'tlb.misses', 'tlb.flushes', 'tlb.walk_levels', 'predecode.pages', 'predecode.flushes', 'wfi.entries', 'wfi.cycles',
  'mmio.accesses', 'monitor.traps', 'monitor.handled', 'monitor.reg_reads', 'monitor.reg_writes', 'monitor.pc_writes',
  'monitor.csr_reads', 'monitor.csr_writes', 'monitor.priv_writes', 'monitor.satp_switches', 'monitor.tlb_flushes',
  'monitor.irq_injections', 'monitor.irq_claims', 'monitor.irq_completions', 'monitor.mem_reads', 'monitor.mem_writes',
  'monitor.walks', 'monitor.mmio_claims', 'monitor.mmio_releases', 'monitor.mmio_accesses', 'lrsc.sc_failures',
] as const;
export type HartEventName = (typeof EVENT_NAMES)[number];

export class Hart {
  readonly hartId: number;
  readonly profile: IsaProfile;
  readonly platform: HartPlatform;
  readonly bus: Bus;
  readonly clock: LabClock;
  /**
   * x0..x31; index 32 is where writes to x0 go. Raw state: uncounted (monitors use `port`). It is
   * a view on the front of the predecode array, so the run loop reaches registers and predecoded
   * code through one typed array.
   */
  readonly regs: Int32Array;
  pc: number;
  /**
   * The privilege as stored, without re-deriving modes. Internal to cpu-core: trap entry and xRET
   * write it and then re-derive; everyone else goes through `priv`.
   */
  privilege: Privilege = 3;
  monitor: HartMonitor | undefined;
  readonly tlb: Tlb;
  readonly pmp = new Pmp();
  readonly port: MonitorPort;

  // CSR state (priv 1.12 chapter 3 and 4).
  mstatus = 0;
  medeleg = 0;
  mideleg = 0;
  mie = 0;
  /** mip bits written by software (SSIP, STIP, SEIP); device lines come from the platform. */
  mipSoft = 0;
  /** mip bits a monitor injected. */
  mipInjected = 0;
  /**
   * Interrupts (mip bit positions) a monitor handled and has not completed: not taken again until
   * their level is seen low, or `port.completeInterrupt` (hypervisor-port.ts, interrupt rule).
   * Internal to cpu-core: the port writes it.
   */
  irqClaimed = 0;
  /** Physical ranges a monitor emulates (hypervisor-port.ts). Internal to cpu-core: the port writes it. */
  readonly mmioClaims = new MmioClaims();
  mtvec = 0;
  mscratch = 0;
  mepc = 0;
  mcause = 0;
  mtval = 0;
  mcounteren = 0;
  mcountinhibit = 0;
  menvcfg = 0;
  stvec = 0;
  sscratch = 0;
  sepc = 0;
  scause = 0;
  stval = 0;
  scounteren = 0;
  senvcfg = 0;
  satp = 0;

  /** Instructions retired since reset. */
  retired = 0;
  /** Set when the last general-path operation took a trap. */
  trapped = false;
  /** In WFI, waiting for an interrupt. */
  waiting = false;
  /** Lab cycle at which interrupt lines must be looked at again. */
  nextCheck = 0;

  /** mcycle/minstret minus the lab clock/retired count (writes to the counters). Internal: csr-file.ts writes them. */
  cycleOffset = 0;
  instretOffset = 0;
  /** The LR reservation's address, -1 when none. Internal: trap entry clears it (traps.ts). */
  reservation = -1;
  #reservationValue = 0;
  /** Traps taken (exceptions and interrupts). Internal: traps.ts counts them; read `trapCount`. */
  traps = 0;
  /** Exceptions and interrupts taken, by code. Internal: traps.ts counts them; read `counters()`. */
  readonly trapCounts = new Float64Array(16);
  readonly irqCounts = new Float64Array(16);
  #tlbHits = 0;
  /** Named event counts reported by `counters()`. Internal: traps.ts, the port and the MMU add to them. */
  readonly events: Record<HartEventName, number>;
  /** Strategy events a monitor charged through its port, by name. */
  readonly #strategyEvents = new Map<string, number>();
  readonly #walker: Sv32Walker;

  // Derived mode state (see #modesChanged).
  #effPriv: Privilege = 3;
  #dataTranslate = false;
  #fetchTranslate = false;
  #asid = 0;
  /** 0: loads/stores go straight to RAM; 1: through the TLB fast path; 2: general path only. */
  #dataMode = 0;

  // Predecode cache.
  /** Two ints per instruction: the packed word, then the immediate. */
  readonly #pd: Int32Array;
  readonly #slotPage: Int32Array;
  readonly #pageSlot: Int32Array;
  #nextSlot = 0;
  readonly #opCount = new Float64Array(OP_COUNT);
  readonly #opCost = new Int32Array(OP_COUNT);

  readonly #fast = new FastState();
  readonly #slotArea: number;
  /** 64 entries of [vpn, slot base, RAM offset, 0]; cleared whenever modes, PMP or the predecode slots change. */
  readonly #fetchCache = new Int32Array(256).fill(-1);

  // Current fetch page.
  #fSb = 0;
  #fVpage = 0;
  #fPhys = 0;
  #fSingle = false;

  /** Fault-loop detection: the last trap's vector and cause, and how often it repeated. Internal: traps.ts. */
  lastVector = -1;
  lastCause = -1;
  loopCount = 0;
  /** Set by trap entry when the handler faults again and again; an external run loop reads and clears it. */
  faultLoop: StopReason | undefined = undefined;

  constructor(platform: HartPlatform, options: HartOptions = {}) {
    this.platform = platform;
    this.bus = platform.bus;
    this.clock = platform.clock;
    this.hartId = options.hartId ?? 0;
    const p = options.profile ?? RV32IMA_PROFILE;
    this.profile = typeof p === 'string' ? isaProfile(p) : p;
    const tlbEntries = options.tlbEntries ?? 64;
    if (!Number.isInteger(tlbEntries) || tlbEntries < 1 || (tlbEntries & (tlbEntries - 1)) !== 0 || tlbEntries > 65536) {
      throw new RangeError(`tlbEntries must be a power of two between 1 and 65536, got ${tlbEntries}`);
    }
    this.monitor = options.monitor;
    this.pc = (options.resetPc ?? this.bus.ramBase) | 0;
    const pages = options.predecodePages ?? 256;
    if (!Number.isInteger(pages) || pages < 1) throw new RangeError(`predecodePages must be a positive integer, got ${pages}`);
    this.#slotArea = TLB_AREA + tlbEntries * 4;
    this.#pd = new Int32Array(this.#slotArea + pages * SLOT * 2);
    this.regs = this.#pd.subarray(0, 33);
    this.tlb = new Tlb(tlbEntries, this.#pd.subarray(TLB_AREA, this.#slotArea));
    this.#slotPage = new Int32Array(pages).fill(-1);
    this.#pageSlot = new Int32Array(this.bus.ramSize / 4096).fill(-1);
    const cost = platform.cost;
    for (let op = 0; op < OP_COUNT; op++) {
      const f = FORM_BY_OP[op];
      const c = f === undefined ? 0 : cost.instruction[f.cls];
      // The price rides in the predecoded word's top 7 bits.
      if (!(c >= 0 && c <= 127)) throw new HartError(`cost model: instruction.${f?.cls ?? '?'} = ${c} cycles; the hart supports 0..127 per instruction`);
      this.#opCost[op] = c;
    }
    // The run loop counts cycles in an int32 between checks; keep one step's price far below 2^30.
    if (!(cost.takenBranch >= 0 && cost.takenBranch <= 1 << 20)) throw new HartError(`cost model: takenBranch = ${cost.takenBranch}; the hart supports 0..${1 << 20}`);
    this.events = Object.fromEntries(EVENT_NAMES.map((n) => [n, 0])) as Record<HartEventName, number>;
    this.#walker = new Sv32Walker(this.bus.ram32, this.bus.ramBase, this.bus.ramSize, this.pmp);
    this.port = new MonitorPort(this, this.events, this.#strategyEvents, this.#walker);
    this.bus.onRamWrite((address, length) => this.invalidateCode(address, length));
    const st = this.#fast;
    st.pd = this.#pd;
    st.ram32 = this.bus.ram32;
    st.cnt = this.#opCount;
    st.pageSlot = this.#pageSlot;
    st.rb = this.bus.ramBase | 0;
    st.rl4 = this.bus.ramSize - 4;
    st.tm = this.tlb.mask;
    st.tb = cost.takenBranch;
    this.#modesChanged();
  }

  /** Current privilege (0 U, 1 S, 3 M). Setting it re-derives translation modes. */
  get priv(): Privilege {
    return this.privilege;
  }

  set priv(p: Privilege) {
    if (p !== 0 && p !== 1 && p !== 3) throw new HartError(`privilege must be 0 (U), 1 (S) or 3 (M), got ${String(p)}`);
    this.privilege = p;
    this.nextCheck = 0;
    this.#modesChanged();
  }

  // ---------------------------------------------------------------------------------------------
  // Run loop

  /**
   * Runs until `maxInstructions` instructions have retired (traps count as steps too, so a storm
   * of traps also ends), the platform halts, the hart deadlocks in WFI, or a fault loop is seen.
   */
  run(maxSteps: number): RunResult {
    if (!(maxSteps >= 0)) throw new RangeError(`run: the step budget must be a number >= 0, got ${maxSteps}`);
    const maxInstructions = Math.floor(maxSteps);
    this.trapped = false;
    const clock = this.clock;
    const halt = this.platform.halt;
    const startRetired = this.retired;
    const startSteps = this.retired + this.traps;
    this.faultLoop = undefined;
    const pd = this.#pd;
    const cnt = this.#opCount;
    const ram32 = this.bus.ram32;
    const tb = this.platform.cost.takenBranch;

    for (;;) {
      if (halt.reason !== undefined) return this.#result({ kind: 'halted', halt: halt.reason }, startRetired);
      if (this.faultLoop !== undefined) return this.#result(this.faultLoop, startRetired);
      if (clock.cycles >= this.nextCheck) this.serviceInterrupts();
      if (this.waiting) {
        if (!this.waitForInterrupt()) return this.#result({ kind: 'deadlock', pc: this.pc >>> 0 }, startRetired);
        continue;
      }
      const left = maxInstructions - (this.retired + this.traps - startSteps);
      if (left <= 0) return this.#result({ kind: 'budget' }, startRetired);
      if (!this.#setupFetch()) continue;

      // The instruction at pc sits at pd[i] (its immediate at pd[i + 1]); pc = bias + 2 * i.
      const bias = (this.#fVpage - (this.#fSb << 1)) | 0;
      const st = this.#fast;
      st.dm = this.#dataMode;
      st.bias = bias;
      st.i = this.#fSb + (((this.pc & 0xfff) >>> 2) << 1);
      st.n = this.#fSingle ? 1 : Math.min(left, CHUNK) | 0;
      let n0 = st.n;
      // Cycles are counted in an int32 (`sp`) on top of a base, so the loop never boxes a double.
      let base = clock.cycles;
      st.sp = 0;
      st.lim = limitFrom(this.nextCheck, base);
      st.th = 0;

      for (;;) {
        const exit = fastLoop(st);
        const i = st.i;
        if (exit === EXIT_LIMIT) {
          this.pc = (bias + (i << 1)) | 0;
          break;
        }
        if (exit === EXIT_DECODE) {
          pd[i] = this.#predecode(ram32[(this.#fPhys + ((i - this.#fSb) << 1)) >>> 2]!, i);
          continue;
        }
        if (exit === EXIT_PAGE_END) {
          this.pc = (bias + (i << 1)) | 0;
          break;
        }
        const w = pd[i]!;
        const op = w & 0x7f;
        if (exit === EXIT_JUMP) {
          const jt = st.jt;
          // A jump that leaves the page, or lands on a misaligned address (priv 3.1.15: the jump raises).
          if ((jt & 3) !== 0) {
            this.retired += n0 - st.n - 1;
            n0 = st.n + 1;
            st.n++;
            cnt[op] = cnt[op]! - 1;
            this.pc = (bias + (i << 1)) | 0;
            clock.cycles = base + st.sp - (w >>> 25) - tb;
            raise(this, CAUSE.misalignedFetch, jt);
            this.trapped = false;
            base = clock.cycles;
            st.sp = 0;
          } else {
            this.pc = jt;
          }
          break;
        }
        // General path: memory through translation and PMP, MMIO, atomics, CSRs, system.
        this.retired += n0 - st.n - 1;
        n0 = st.n + 1;
        this.pc = (bias + (i << 1)) | 0;
        clock.cycles = base + st.sp;
        cnt[op] = cnt[op]! + 1;
        const status = this.execute(ram32[(this.#fPhys + ((i - this.#fSb) << 1)) >>> 2]!);
        base = clock.cycles;
        st.sp = 0;
        if (status === 0) {
          st.i = i + 2;
          st.lim = limitFrom(this.nextCheck, base);
          continue;
        }
        if (this.trapped) {
          this.trapped = false;
          st.n++;
          cnt[op] = cnt[op] - 1;
          st.sp = -(w >>> 25);
        }
        break;
      }
      clock.cycles = base + st.sp;
      this.retired += n0 - st.n;
      this.#tlbHits += st.th;
    }
  }

  #result(stop: StopReason, startRetired: number): RunResult {
    return { stop, instructions: this.retired - startRetired, pc: this.pc >>> 0 };
  }

  // ---------------------------------------------------------------------------------------------
  // Predecode

  #predecode(word: number, i: number): number {
    const form = decodeForm(word);
    if (form === undefined) {
      this.#pd[i + 1] = word;
      return OP_ILLEGAL;
    }
    this.#pd[i + 1] = operandImmediate(form, word);
    const rd = field.rd(word);
    return form.op | ((rd === 0 ? 32 : rd) << 7) | (field.rs1(word) << 13) | (field.rs2(word) << 19) | (this.#opCost[form.op]! << 25);
  }

  #slotFor(ramPage: number): number {
    const existing = this.#pageSlot[ramPage]!;
    if (existing >= 0) return existing;
    const s = this.#nextSlot;
    this.#nextSlot = (s + 1) % this.#slotPage.length;
    const old = this.#slotPage[s]!;
    if (old >= 0) {
      this.#pageSlot[old] = -1;
      this.#fetchCache.fill(-1);
    }
    this.#slotPage[s] = ramPage;
    const base = this.#slotArea + s * SLOT * 2;
    this.#pd.fill(0, base, base + 2048);
    this.#pd[base + 2048] = OP_PAGE_END;
    this.#pageSlot[ramPage] = base;
    this.events['predecode.pages']++;
    return base;
  }

  /** Forgets predecoded code in [address, address+length) of physical RAM (DMA, loaders). */
  invalidateCode(address: number, length: number): void {
    const off = (address >>> 0) - this.bus.ramBase;
    if (length <= 0) return;
    const first = Math.max(0, Math.floor(off / 4096));
    const last = Math.min(this.#pageSlot.length - 1, Math.floor((off + length - 1) / 4096));
    for (let p = first; p <= last; p++) {
      const base = this.#pageSlot[p]!;
      if (base >= 0) this.#pd.fill(0, base, base + 2048);
    }
  }

  /** fence.i: drop every predecoded page. */
  flushPredecode(): void {
    for (let s = 0; s < this.#slotPage.length; s++) {
      const p = this.#slotPage[s]!;
      if (p >= 0) this.#pageSlot[p] = -1;
      this.#slotPage[s] = -1;
    }
    this.#fetchCache.fill(-1);
    this.events['predecode.flushes']++;
  }

  /** Translates `pc` for execution and points the run loop at its predecoded page. */
  #setupFetch(): boolean {
    const pc = this.pc;
    // The fetch-page cache: pages already found uniform, as long as nothing changed. Under Sv32 the
    // modeled TLB entry must still be there (a lookup, counted as a hit), so TLB figures stay true.
    const vpn = pc >>> 12;
    const c = (vpn & 63) << 2;
    const fc = this.#fetchCache;
    if (fc[c] === vpn && (pc & 3) === 0) {
      let ok = true;
      if (this.#fetchTranslate) {
        const k = (vpn & this.tlb.mask) << 2;
        const ft = this.tlb.fastTable;
        ok = ft[k] === vpn && (ft[k + 1]! & FAST_EXEC) !== 0;
        if (ok) this.#tlbHits++;
      }
      if (ok) {
        this.#fSingle = false;
        this.#fSb = fc[c + 1]!;
        this.#fPhys = fc[c + 2]!;
        this.#fVpage = pc & ~0xfff;
        return true;
      }
    }
    if ((pc & 3) !== 0) {
      raise(this, CAUSE.misalignedFetch, pc);
      this.trapped = false;
      return false;
    }
    const pa = this.translate(pc, ACCESS_FETCH, 4);
    if (pa < 0) {
      this.trapped = false;
      return false;
    }
    const off = pa - this.bus.ramBase;
    if (off < 0 || off + 4 > this.bus.ramSize) {
      raise(this, CAUSE.fetchAccess, pc);
      this.trapped = false;
      return false;
    }
    const page = pa - (pa % 4096);
    // Run a whole page only when PMP (and the TLB) grant execution uniformly over it.
    let single = (this.pmp.permissions(page, 4096, this.priv) & PMP_X) === 0;
    if (this.#fetchTranslate) {
      const e = ((pc >>> 12) & this.tlb.mask) << 2;
      const ft = this.tlb.fastTable;
      if (ft[e] !== pc >>> 12 || (ft[e + 1]! & FAST_EXEC) === 0) single = true;
    }
    this.#fSingle = single;
    this.#fPhys = off - (off % 4096);
    this.#fSb = this.#slotFor(this.#fPhys / 4096);
    this.#fVpage = pc & ~0xfff;
    if (!single) {
      fc[c] = vpn;
      fc[c + 1] = this.#fSb;
      fc[c + 2] = this.#fPhys;
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // General path, shared with the emulator's translator

  /**
   * Executes one instruction `word` at `pc` through the general path: loads and stores (with
   * translation, PMP, MMIO and misaligned accesses), atomics, CSR access, fences, ecall/ebreak,
   * mret/sret, wfi, sfence.vma and illegal words. Returns 0 when execution continues at pc+4 (pc
   * is left for the caller to advance), 1 when pc or the machine's mode changed (pc is updated;
   * `trapped` tells whether a trap was taken). Plain ALU and branch forms are the caller's.
   */
  execute(word: number): 0 | 1 {
    const form = decodeForm(word);
    const r = this.regs;
    if (form === undefined) return this.#illegal(word);
    const rd = field.rd(word);
    const rs1 = field.rs1(word);
    const rs2 = field.rs2(word);
    switch (form.op) {
      case 11:
      case 12:
      case 13:
      case 14:
      case 15: {
        const size = form.op === 11 || form.op === 14 ? 1 : form.op === 13 ? 4 : 2;
        const v = this.load((r[rs1]! + imm.i(word)) | 0, size, form.op <= 13);
        if (this.trapped) return 1;
        if (rd !== 0) r[rd] = v;
        return 0;
      }
      case 16:
      case 17:
      case 18:
        this.store((r[rs1]! + imm.s(word)) | 0, form.op === 16 ? 1 : form.op === 17 ? 2 : 4, r[rs2]!);
        return this.trapped ? 1 : 0;
      case 38: // fence: a single hart with a coherent memory model needs nothing
        return 0;
      case 39: // fence.i
        this.flushPredecode();
        this.pc = (this.pc + 4) | 0;
        return 1;
      case 40: // ecall
        raise(this, this.priv === 0 ? CAUSE.ecallU : this.priv === 1 ? CAUSE.ecallS : CAUSE.ecallM, 0);
        return 1;
      case 41: // ebreak: QEMU 7.2 leaves tval 0 (checked with qemu-system-riscv32)
        raise(this, CAUSE.breakpoint, 0);
        return 1;
      case 42:
      case 43:
      case 44:
      case 45:
      case 46:
      case 47:
        return this.#csrInstruction(word, form.op);
      case 56:
      case 57:
      case 58:
      case 59:
      case 60:
      case 61:
      case 62:
      case 63:
      case 64:
      case 65:
      case 66: {
        const v = this.#atomic(form.op, r[rs1]!, r[rs2]!);
        if (this.trapped) return 1;
        if (rd !== 0) r[rd] = v;
        return 0;
      }
      case 67:
        return this.sret(word);
      case 68:
        return this.mret(word);
      case 69:
        return this.wfi(word);
      case 70:
        return this.sfenceVma(word, rs1 === 0 ? undefined : r[rs1]!, rs2 === 0 ? undefined : r[rs2]!);
      default:
        throw new HartError(`execute: ${form.mnemonic} is not a general-path form (at pc 0x${(this.pc >>> 0).toString(16)})`);
    }
  }

  #illegal(word: number): 1 {
    // QEMU 7.2 reports the instruction bits in tval for illegal instructions.
    raise(this, CAUSE.illegalInstruction, word);
    return 1;
  }

  /** mret (priv 3.3.2): pop the M-mode interrupt stack. */
  mret(word = 0x30200073): 0 | 1 {
    if (this.priv !== 3) return this.#illegal(word);
    let s = this.mstatus;
    const mpp = ((s >>> 11) & 3) as Privilege;
    s = (s & MSTATUS.MPIE) !== 0 ? s | MSTATUS.MIE : s & ~MSTATUS.MIE;
    s |= MSTATUS.MPIE;
    s &= ~MSTATUS.MPP;
    if (mpp !== 3) s &= ~MSTATUS.MPRV; // priv 1.12: leaving M for a lower mode clears MPRV
    this.mstatus = s;
    this.privilege = mpp;
    this.pc = this.mepc;
    this.clock.cycles += this.platform.cost.trapReturn;
    this.nextCheck = 0; // interrupts masked in the old mode may be taken in the new one
    this.#modesChanged();
    return 1;
  }

  /** sret (priv 3.3.2, 4.1.1): pop the S-mode interrupt stack; TSR makes it illegal in S. */
  sret(word = 0x10200073): 0 | 1 {
    if (this.priv === 0 || (this.priv === 1 && (this.mstatus & MSTATUS.TSR) !== 0)) return this.#illegal(word);
    let s = this.mstatus;
    const spp = ((s >>> 8) & 1) as Privilege;
    s = (s & MSTATUS.SPIE) !== 0 ? s | MSTATUS.SIE : s & ~MSTATUS.SIE;
    s |= MSTATUS.SPIE;
    s &= ~(MSTATUS.SPP | MSTATUS.MPRV);
    this.mstatus = s;
    this.privilege = spp;
    this.pc = this.sepc;
    this.clock.cycles += this.platform.cost.trapReturn;
    this.nextCheck = 0;
    this.#modesChanged();
    return 1;
  }

  /**
   * wfi (priv 3.3.3), as QEMU 7.2's helper_wfi: illegal in U (S-mode exists), illegal in S when
   * TW is set; otherwise the hart retires it and sleeps until mip & mie is non-zero.
   */
  wfi(word = 0x10500073): 0 | 1 {
    if (this.priv === 0 || (this.priv === 1 && (this.mstatus & MSTATUS.TW) !== 0)) return this.#illegal(word);
    this.pc = (this.pc + 4) | 0;
    this.clock.cycles += this.platform.cost.wfi;
    this.waiting = true;
    this.events['wfi.entries']++;
    this.nextCheck = 0;
    return 1;
  }

  /** sfence.vma (priv 4.2.1); `vaddr`/`asid` undefined mean x0 operands. Illegal in U, and in S with TVM. */
  sfenceVma(word: number, vaddr: number | undefined, asid: number | undefined): 0 | 1 {
    if (this.priv === 0 || (this.priv === 1 && (this.mstatus & MSTATUS.TVM) !== 0)) return this.#illegal(word);
    this.tlb.flush(vaddr, asid === undefined ? undefined : asid & 0x1ff);
    this.events['tlb.flushes']++;
    this.pc = (this.pc + 4) | 0;
    return 1;
  }

  /** Flushes the whole TLB (what sfence.vma x0, x0 does). */
  flushTlb(): void {
    this.tlb.flush(undefined, undefined);
    this.events['tlb.flushes']++;
  }

  // ---------------------------------------------------------------------------------------------
  // CSRs

  #csrInstruction(word: number, op: number): 0 | 1 {
    const csr = field.csr(word);
    const rd = field.rd(word);
    const rs1 = field.rs1(word);
    const immForm = op >= 45;
    const src = immForm ? rs1 : this.regs[rs1]!;
    const kind = (op - 42) % 3; // 0 rw, 1 rs, 2 rc
    const writes = kind === 0 || rs1 !== 0;
    let writeMask = -1;
    if (csrPrivilege(csr) > this.priv) {
      const hole = this.priv === 0 ? this.profile.userCsrHoles.find((h) => h.csr === csr) : undefined;
      if (hole === undefined || !hole.readsRealValue) return this.#illegal(word);
      writeMask = hole.writeMask;
    }
    if (writes && csrReadOnly(csr)) return this.#illegal(word);
    if (csr === CSR.satp && this.priv === 1 && (this.mstatus & MSTATUS.TVM) !== 0) return this.#illegal(word);
    if (!this.#counterAllowed(csr)) return this.#illegal(word);
    const old = this.readCsr(csr);
    if (old === undefined) return this.#illegal(word);
    if (writes) {
      let v = kind === 0 ? src : kind === 1 ? old | src : old & ~src;
      v = (old & ~writeMask) | (v & writeMask);
      this.writeCsr(csr, v);
    }
    if (rd !== 0) this.regs[rd] = old;
    if (!writes) return 0;
    this.pc = (this.pc + 4) | 0;
    this.nextCheck = 0;
    return 1;
  }

  /** cycle/time/instret and hpmcounters are gated by mcounteren and scounteren (priv 3.1.11, 4.1.5). */
  #counterAllowed(csr: number): boolean {
    if (!((csr >= 0xc00 && csr <= 0xc1f) || (csr >= 0xc80 && csr <= 0xc9f))) return true;
    const bit = 1 << (csr & 31);
    if (this.priv < 3 && (this.mcounteren & bit) === 0) return false;
    if (this.priv === 0 && (this.scounteren & bit) === 0) return false;
    return true;
  }

  /** mip as software sees it: device lines, software-written bits and injected bits. */
  mip(): number {
    return (this.platform.interruptLevels(this.hartId) & ALL_IRQS) | this.mipSoft | this.mipInjected;
  }

  /** Reads a CSR without privilege checks (monitors, the translator); undefined when not implemented (csr-file.ts). */
  readCsr(csr: number): number | undefined {
    return readCsrOf(this, csr);
  }

  /** Writes a CSR without privilege checks, applying its WARL rules; unknown CSRs are ignored (csr-file.ts). */
  writeCsr(csr: number, value: number): void {
    writeCsrOf(this, csr, value);
  }

  // ---------------------------------------------------------------------------------------------
  // Traps and interrupts (traps.ts)

  /** Trap entry from `pc` (traps.ts): delegated traps from S or U go to S; the rest go to M, where a monitor sees them first. */
  takeTrap(code: number, interrupt: boolean, tval: number): void {
    takeTrap(this, code, interrupt, tval);
  }

  /** Takes the highest-priority enabled pending interrupt, if any, and sets `nextCheck` (traps.ts). */
  serviceInterrupts(): void {
    serviceInterrupts(this);
  }

  /** One step of WFI (traps.ts): wake on mip & mie, else let time pass to the next event. False = deadlock. */
  waitForInterrupt(): boolean {
    return waitForInterrupt(this);
  }

  // ---------------------------------------------------------------------------------------------
  // Memory: translation, PMP, RAM and MMIO

  // ---------------------------------------------------------------------------------------------
  // For run loops outside this class (the emulator's translator)

  /**
   * Called with the RAM offset and size of every write the general path makes to RAM (slow-path
   * stores, AMOs/SC, A/D updates by the walker), so that a translator can drop code written there.
   * The interpreter's own fast-path stores do not call it.
   */
  onCodeWrite: ((ramOffset: number, size: number) => void) | undefined = undefined;

  /** Executions per handler id (flushed totals). ALU entries are ignored by `counters()`: class.alu = instret - the rest. */
  get opCounts(): Float64Array {
    return this.#opCount;
  }

  /** TLB hits so far; an external fast path adds its own. */
  get tlbHits(): number {
    return this.#tlbHits;
  }

  set tlbHits(v: number) {
    this.#tlbHits = v;
  }

  /** Traps taken (exceptions and interrupts): the run budget counts them as steps. */
  get trapCount(): number {
    return this.traps;
  }

  /** Re-derives translation and fast-path modes after privilege, mstatus, satp or PMP changed. */
  refreshModes(): void {
    this.#modesChanged();
  }

  #modesChanged(): void {
    this.#fetchCache.fill(-1);
    const s = this.mstatus;
    this.#effPriv = this.priv === 3 && (s & MSTATUS.MPRV) !== 0 ? (((s >>> 11) & 3) as Privilege) : this.priv;
    const sv32 = this.satp >>> 31 === 1;
    this.#dataTranslate = sv32 && this.#effPriv < 3;
    this.#fetchTranslate = sv32 && this.priv < 3;
    this.#asid = (this.satp >>> 22) & 0x1ff;
    if (this.#dataTranslate) this.#dataMode = 1;
    else this.#dataMode = (this.pmp.permissions(this.bus.ramBase, this.bus.ramSize, this.#effPriv) & 3) === 3 ? 0 : 2;
    const t = this.tlb;
    for (let e = 0; e < t.size; e++) this.#refreshEntry(e);
  }

  #refreshEntry(e: number): void {
    const t = this.tlb;
    const ft = t.fastTable;
    const k = e << 2;
    const vpn = t.vpn[e]!;
    if (vpn < 0 || (t.global[e] === 0 && t.asid[e] !== this.#asid)) {
      ft[k] = -1;
      ft[k + 1] = 0;
      return;
    }
    ft[k] = vpn;
    const off = t.physical[e]! - this.bus.ramBase;
    let fast = 0;
    if (off >= 0 && off + 4096 <= this.bus.ramSize) {
      ft[k + 2] = off;
      const f = t.flags[e]!;
      const p = t.pmp[e]!;
      if (this.#dataTranslate) {
        if ((p & PMP_R) !== 0 && ptePermits(f, ACCESS_LOAD, this.#effPriv, this.mstatus)) fast |= FAST_READ;
        if ((p & PMP_W) !== 0 && (f & PTE.D) !== 0 && ptePermits(f, ACCESS_STORE, this.#effPriv, this.mstatus)) fast |= FAST_WRITE;
      }
      if (this.#fetchTranslate && (p & PMP_X) !== 0 && ptePermits(f, ACCESS_FETCH, this.priv, this.mstatus)) fast |= FAST_EXEC;
    }
    ft[k + 1] = fast;
  }

  #pageFault(access: AccessKind, va: number): number {
    raise(this, pageFaultCause(access), va);
    return -1;
  }

  #accessFault(access: AccessKind, va: number): number {
    raise(this, accessFaultCause(access), va);
    return -1;
  }

  /**
   * Translates `va` for an access of `size` bytes (within one page) by the privilege that makes
   * it, and checks PMP. Returns the physical address, or -1 after taking the trap.
   */
  translate(va: number, access: AccessKind, size: number, tval: number = va): number {
    const priv = access === ACCESS_FETCH ? this.priv : this.#effPriv;
    let pa: number;
    if (priv === 3 || this.satp >>> 31 === 0) {
      pa = va >>> 0;
    } else {
      const t = this.tlb;
      const vpn = va >>> 12;
      let e = vpn & t.mask;
      if (
        t.vpn[e] === vpn && (t.global[e] === 1 || t.asid[e] === this.#asid) &&
        (access !== ACCESS_STORE || (t.flags[e]! & PTE.D) !== 0) && ptePermits(t.flags[e]!, access, priv, this.mstatus)
      ) {
        this.#tlbHits++;
      } else {
        // QEMU walks again whenever the cached entry does not allow the access.
        this.events['tlb.misses']++;
        e = this.#walk(va, access, priv, e, tval);
        if (e < 0) return -1;
      }
      pa = t.physical[e]! + (va & 0xfff);
    }
    const bit = access === ACCESS_LOAD ? PMP_R : access === ACCESS_STORE ? PMP_W : PMP_X;
    if ((this.pmp.permissions(pa, size, priv) & bit) === 0) return this.#accessFault(access, tval);
    return pa;
  }

  /** The Sv32 walk (priv 4.3.2, sv32-walk.ts), charged per level, with A/D updated in memory as QEMU 7.2 does. Fills TLB entry `e`. */
  #walk(va: number, access: AccessKind, priv: number, e: number, tval: number): number {
    const w = this.#walker;
    const outcome = w.walk(this.satp, va, access, priv, this.mstatus);
    this.clock.cycles += this.platform.cost.tlbMissPerLevel * w.levels;
    this.events['tlb.walk_levels'] += w.levels;
    if (outcome !== WALK_OK) return outcome === WALK_ACCESS_FAULT ? this.#accessFault(access, tval) : this.#pageFault(access, tval);
    const pte = w.leafPte;
    const updated = pte | PTE.A | (access === ACCESS_STORE ? PTE.D : 0);
    if (updated !== pte) {
      this.bus.ram32[w.leafOffset >>> 2] = updated;
      this.#codeWritten(w.leafOffset, 4);
    }
    const t = this.tlb;
    t.vpn[e] = va >>> 12;
    t.asid[e] = this.#asid;
    t.global[e] = w.global !== 0 ? 1 : 0;
    t.flags[e] = updated & 0xff;
    t.superpage[e] = w.leafLevel;
    t.physical[e] = w.page;
    t.pmp[e] = this.pmp.permissions(w.page, 4096, 1);
    this.#refreshEntry(e);
    return e;
  }

  #codeWritten(off: number, size: number): void {
    if (this.onCodeWrite !== undefined) this.onCodeWrite(off, size);
    const ps = this.#pageSlot[off >>> 12]!;
    if (ps < 0) return;
    this.#pd[ps + (((off & 0xfff) >>> 2) << 1)] = 0;
    const last = off + size - 1;
    if (last >>> 2 !== off >>> 2) {
      const ps2 = this.#pageSlot[last >>> 12]!;
      if (ps2 >= 0) this.#pd[ps2 + (((last & 0xfff) >>> 2) << 1)] = 0;
    }
  }

  #readPhys(pa: number, size: 1 | 2 | 4, access: AccessKind, tval: number): number {
    const bus = this.bus;
    const off = pa - bus.ramBase;
    if (off >= 0 && off + size <= bus.ramSize) {
      const r = bus.ram;
      if (size === 1) return r[off]!;
      if (size === 2) return r[off]! | (r[off + 1]! << 8);
      return r[off]! | (r[off + 1]! << 8) | (r[off + 2]! << 16) | (r[off + 3]! << 24);
    }
    return this.#mmio(pa, size, access, tval, 0);
  }

  #writePhys(pa: number, size: 1 | 2 | 4, value: number, tval: number): void {
    const bus = this.bus;
    const off = pa - bus.ramBase;
    if (off >= 0 && off + size <= bus.ramSize) {
      const r = bus.ram;
      r[off] = value;
      if (size >= 2) r[off + 1] = value >>> 8;
      if (size === 4) {
        r[off + 2] = value >>> 16;
        r[off + 3] = value >>> 24;
      }
      this.#codeWritten(off, size);
      return;
    }
    this.#mmio(pa, size, ACCESS_STORE, tval, value);
  }

  #mmio(pa: number, size: 1 | 2 | 4, access: AccessKind, tval: number, value: number): number {
    if (pa >= 4294967296) return this.#accessFault(access, tval);
    this.events['mmio.accesses']++;
    this.clock.cycles += this.platform.cost.mmioAccess;
    // A device register access can raise or lower a line: look at interrupts again.
    this.nextCheck = 0;
    try {
      if (this.mmioClaims.size !== 0 && this.mmioClaims.touches(pa, size)) {
        // A range a monitor emulates (hypervisor-port.ts); straddling its edge is an access fault.
        const claim = this.mmioClaims.find(pa, size);
        if (claim === undefined) return this.#accessFault(access, tval);
        this.events['monitor.mmio_accesses']++;
        if (access === ACCESS_STORE) {
          claim.handler.write(pa - claim.base, size, size === 4 ? value | 0 : value & (size === 2 ? 0xffff : 0xff));
          return 0;
        }
        return claim.handler.read(pa - claim.base, size) | 0;
      }
      if (access === ACCESS_STORE) {
        this.bus.write(pa, value, size);
        return 0;
      }
      return this.bus.read(pa, size) | 0;
    } catch (err) {
      if (err instanceof BusError) return this.#accessFault(access, tval);
      throw err;
    }
  }

  /**
   * A load of `size` bytes at virtual `va`, as the current (effective) privilege makes it.
   * Misaligned loads are carried out, as QEMU 7.2 does for regular loads. On a fault the trap is
   * taken and `trapped` is set.
   */
  load(va: number, size: 1 | 2 | 4, signed: boolean): number {
    let v: number;
    if ((va & (size - 1)) === 0) {
      const pa = this.translate(va, ACCESS_LOAD, size);
      if (pa < 0) return 0;
      v = this.#readPhys(pa, size, ACCESS_LOAD, va);
    } else {
      const pas = this.#misalignedPages(va, size, ACCESS_LOAD);
      if (pas === undefined) return 0;
      v = 0;
      for (let k = 0; k < size; k++) {
        v |= this.#readPhys(pas[k]!, 1, ACCESS_LOAD, va) << (8 * k);
        if (this.trapped) return 0;
      }
    }
    if (this.trapped) return 0;
    if (size === 4) return v | 0;
    const sh = 32 - 8 * size;
    return signed ? (v << sh) >> sh : (v << sh) >>> sh;
  }

  /** A store of the low `size` bytes of `value` at virtual `va` (see `load`). */
  store(va: number, size: 1 | 2 | 4, value: number): void {
    if ((va & (size - 1)) === 0) {
      const pa = this.translate(va, ACCESS_STORE, size);
      if (pa < 0) return;
      this.#writePhys(pa, size, value, va);
      return;
    }
    const pas = this.#misalignedPages(va, size, ACCESS_STORE);
    if (pas === undefined) return;
    for (let k = 0; k < size; k++) {
      this.#writePhys(pas[k]!, 1, value >>> (8 * k), va);
      if (this.trapped) return;
    }
  }

  /**
   * Physical addresses of each byte of a misaligned access, both pages translated before any
   * byte moves. Fault addresses follow QEMU 7.2's split: the first page reports the address
   * rounded down to the access size, the second page its first byte.
   */
  #misalignedPages(va: number, size: number, access: AccessKind): number[] | undefined {
    const first = 4096 - (va & 0xfff);
    if (size <= first) {
      const pa = this.translate(va, access, size);
      if (pa < 0) return undefined;
      return Array.from({ length: size }, (_, k) => pa + k);
    }
    const pa1 = this.translate(va, access, first, va & ~(size - 1));
    if (pa1 < 0) return undefined;
    const va2 = (va + first) | 0;
    const pa2 = this.translate(va2, access, size - first);
    if (pa2 < 0) return undefined;
    return Array.from({ length: size }, (_, k) => (k < first ? pa1 + k : pa2 + k - first));
  }

  /** A claimed MMIO range supports no LR/SC or AMO (hypervisor-port.ts): true after raising the access fault. */
  #amoOnClaim(pa: number, access: AccessKind, va: number): boolean {
    if (this.mmioClaims.size === 0 || !this.mmioClaims.touches(pa, 4)) return false;
    this.#accessFault(access, va);
    return true;
  }

  /** LR/SC and AMOs (unpriv chapter 8) as QEMU 7.2: SC compares the reserved address and value. */
  #atomic(op: number, va: number, src: number): number {
    if (op === 57) {
      // sc.w: a different address fails without any access (not even an alignment check).
      if (va !== this.reservation) {
        this.reservation = -1;
        this.events['lrsc.sc_failures']++;
        return 1;
      }
      this.reservation = -1;
      const pa = this.translate(va, ACCESS_STORE, 4);
      if (pa < 0 || this.#amoOnClaim(pa, ACCESS_STORE, va)) return 0;
      const cur = this.#readPhys(pa, 4, ACCESS_STORE, va);
      if (this.trapped) return 0;
      if (cur !== this.#reservationValue) {
        this.events['lrsc.sc_failures']++;
        return 1;
      }
      this.#writePhys(pa, 4, src, va);
      return this.trapped ? 0 : 0;
    }
    if ((va & 3) !== 0) {
      raise(this, op === 56 ? CAUSE.misalignedLoad : CAUSE.misalignedStore, va);
      return 0;
    }
    if (op === 56) {
      const pa = this.translate(va, ACCESS_LOAD, 4);
      if (pa < 0 || this.#amoOnClaim(pa, ACCESS_LOAD, va)) return 0;
      const v = this.#readPhys(pa, 4, ACCESS_LOAD, va);
      if (this.trapped) return 0;
      this.reservation = va;
      this.#reservationValue = v;
      return v;
    }
    const pa = this.translate(va, ACCESS_STORE, 4);
    if (pa < 0 || this.#amoOnClaim(pa, ACCESS_STORE, va)) return 0;
    const old = this.#readPhys(pa, 4, ACCESS_STORE, va);
    if (this.trapped) return 0;
    let v: number;
    switch (op) {
      case 58:
        v = src;
        break;
      case 59:
        v = (old + src) | 0;
        break;
      case 60:
        v = old ^ src;
        break;
      case 61:
        v = old & src;
        break;
      case 62:
        v = old | src;
        break;
      case 63:
        v = old < src ? old : src;
        break;
      case 64:
        v = old > src ? old : src;
        break;
      case 65:
        v = old >>> 0 < src >>> 0 ? old : src;
        break;
      default:
        v = old >>> 0 > src >>> 0 ? old : src;
        break;
    }
    this.#writePhys(pa, 4, v, va);
    return old;
  }

  // ---------------------------------------------------------------------------------------------
  // Reporting

  /** Counters as a flat record of named integers; the names are stable. */
  counters(): Record<string, number> {
    const out: Record<string, number> = { instret: this.retired, cycles: this.clock.cycles };
    const byClass = new Map<InstructionClass, number>(INSTRUCTION_CLASSES.map((c) => [c, 0]));
    let others = 0;
    for (let op = 1; op < OP_COUNT; op++) {
      const f = FORM_BY_OP[op];
      if (f === undefined || f.cls === 'alu') continue;
      byClass.set(f.cls, byClass.get(f.cls)! + this.#opCount[op]!);
      others += this.#opCount[op]!;
    }
    // The run loop does not count ALU forms one by one (the commonest): they are the rest.
    byClass.set('alu', this.retired - others);
    for (const [c, v] of byClass) out[`class.${c}`] = v;
    let traps = 0;
    for (const [code, name] of Object.entries(EXCEPTION_NAMES)) {
      out[`trap.${name}`] = this.trapCounts[Number(code)]!;
      traps += this.trapCounts[Number(code)]!;
    }
    let irqs = 0;
    for (const [code, name] of Object.entries(INTERRUPT_NAMES)) {
      out[`irq.${name}`] = this.irqCounts[Number(code)]!;
      irqs += this.irqCounts[Number(code)]!;
    }
    out['trap.total'] = traps;
    out['irq.total'] = irqs;
    out['tlb.hits'] = this.#tlbHits;
    for (const n of EVENT_NAMES) out[n] = this.events[n];
    for (const [n, v] of this.#strategyEvents) out[`event.${n}`] = v;
    return out;
  }

  /** `pc` and the instruction there, disassembled, for traces and error messages. */
  describe(pc: number = this.pc): string {
    const off = (pc >>> 0) - this.bus.ramBase;
    const word = off >= 0 && off + 4 <= this.bus.ramSize ? this.bus.ram32[off >>> 2]! : undefined;
    const at = `0x${(pc >>> 0).toString(16).padStart(8, '0')}`;
    return word === undefined ? `${at}: (no RAM)` : `${at}: ${disassemble(word, pc)}`;
  }

  /** Back to the reset state (priv 3.4): M-mode, pc at the reset vector, CSRs cleared. */
  reset(pc: number = this.bus.ramBase): void {
    this.regs.fill(0);
    this.pc = pc | 0;
    this.privilege = 3;
    this.mstatus = this.medeleg = this.mideleg = this.mie = this.mipSoft = this.mipInjected = this.irqClaimed = 0;
    this.mtvec = this.mscratch = this.mepc = this.mcause = this.mtval = this.mcounteren = this.mcountinhibit = 0;
    this.menvcfg = this.stvec = this.sscratch = this.sepc = this.scause = this.stval = this.scounteren = 0;
    this.senvcfg = this.satp = 0;
    this.reservation = -1;
    this.cycleOffset = 0;
    this.instretOffset = 0;
    this.waiting = false;
    this.trapped = false;
    this.nextCheck = 0;
    this.pmp.reset();
    this.tlb.flush(undefined, undefined);
    this.flushPredecode();
    this.#modesChanged();
  }
}
