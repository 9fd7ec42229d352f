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
import { INSTRUCTION_CLASSES } from '@virtlab/hw-model';
import type { Bus, HaltReason, HartPlatform, InstructionClass, LabClock } from '@virtlab/hw-model';
import { ALL_IRQS, CAUSE, CSR, EXCEPTION_NAMES, INTERRUPT_NAMES, MSTATUS, csrPrivilege, csrReadOnly } from './csr.js';
import type { Privilege } from './csr.js';
import { FORM_BY_OP, OP_COUNT, decodeForm, field, imm } from './decoder-table.js';
import { disassemble } from './disassemble.js';
import { SEMANTICS } from './semantics.js';
import { RV32IMA_PROFILE, isaProfile } from './isa-profile.js';
import type { IsaProfile } from './isa-profile.js';
import { readCsrOf, writeCsrOf } from './csr-file.js';
import { raise, serviceInterrupts, takeTrap, waitForInterrupt } from './traps.js';
import { atomic, load, refreshTlbEntry, store, translate } from './memory-access.js';
import { SLOT, flushPredecode, invalidateCode, predecode, setupFetch } from './predecode.js';
import { MmioClaims, MonitorPort } from './hypervisor-port.js';
import { Pmp } from './pmp.js';
import { Sv32Walker } from './sv32-walk.js';
import type { AccessKind } from './sv32-walk.js';
import { Tlb } from './tlb.js';
import { EXIT_DECODE, EXIT_JUMP, EXIT_LIMIT, EXIT_PAGE_END, FastState, TLB_AREA, fastLoop } from './fast-loop.js';

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
  /** The value LR read at `reservation`; SC compares it. Internal: memory-access.ts. */
  reservationValue = 0;
  /** Traps taken (exceptions and interrupts). Internal: traps.ts counts them; read `trapCount`. */
  traps = 0;
  /** Exceptions and interrupts taken, by code. Internal: traps.ts counts them; read `counters()`. */
  readonly trapCounts = new Float64Array(16);
  readonly irqCounts = new Float64Array(16);
  /** TLB hits so far; the MMU (memory-access.ts), the run loop and an external fast path add theirs. */
  tlbHits = 0;
  /** Named event counts reported by `counters()`. Internal: traps.ts, the port and the MMU add to them. */
  readonly events: Record<HartEventName, number>;
  /** Strategy events a monitor charged through its port, by name. */
  readonly #strategyEvents = new Map<string, number>();
  /** The Sv32 walker the MMU and the port share. Internal: memory-access.ts walks with it. */
  readonly walker: Sv32Walker;

  /**
   * Derived mode state (see #modesChanged): the privilege loads and stores are made with (MPRV),
   * whether data and fetch are translated, and the current ASID. Internal: memory-access.ts reads them.
   */
  effPriv: Privilege = 3;
  dataTranslate = false;
  fetchTranslate = false;
  asid = 0;
  /** 0: loads/stores go straight to RAM; 1: through the TLB fast path; 2: general path only. */
  #dataMode = 0;

  /**
   * Predecode cache (predecode.ts), internal to cpu-core: `pd` holds the registers, the TLB fast
   * table and then the page slots, two ints per instruction (the packed word, then the immediate);
   * `slotPage` maps slots to RAM pages and `pageSlot` RAM pages to slot bases (-1: none).
   */
  readonly pd: Int32Array;
  readonly slotPage: Int32Array;
  readonly pageSlot: Int32Array;
  /** The slot the next new page takes (round-robin). */
  nextSlot = 0;
  readonly #opCount = new Float64Array(OP_COUNT);
  /** Lab cycles per handler id, packed into predecoded words. Internal: predecode.ts. */
  readonly opCost = new Int32Array(OP_COUNT);

  readonly #fast = new FastState();
  /** Where the page slots start in `pd`. Internal: predecode.ts. */
  readonly slotArea: number;
  /** 64 entries of [vpn, slot base, RAM offset, 0]; cleared whenever modes, PMP or the predecode slots change. */
  readonly fetchCache = new Int32Array(256).fill(-1);

  /**
   * The current fetch page, set by predecode.ts for the run loop: its slot base in `pd`, its
   * virtual page, its RAM offset, and whether it runs one instruction at a time (non-uniform PMP/TLB).
   */
  fSb = 0;
  fVpage = 0;
  fPhys = 0;
  fSingle = false;

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
    this.slotArea = TLB_AREA + tlbEntries * 4;
    this.pd = new Int32Array(this.slotArea + pages * SLOT * 2);
    this.regs = this.pd.subarray(0, 33);
    this.tlb = new Tlb(tlbEntries, this.pd.subarray(TLB_AREA, this.slotArea));
    this.slotPage = new Int32Array(pages).fill(-1);
    this.pageSlot = new Int32Array(this.bus.ramSize / 4096).fill(-1);
    const cost = platform.cost;
    for (let op = 0; op < OP_COUNT; op++) {
      const f = FORM_BY_OP[op];
      const c = f === undefined ? 0 : cost.instruction[f.cls];
      // The price rides in the predecoded word's top 7 bits.
      if (!(c >= 0 && c <= 127)) throw new HartError(`cost model: instruction.${f?.cls ?? '?'} = ${c} cycles; the hart supports 0..127 per instruction`);
      this.opCost[op] = c;
    }
    // The run loop counts cycles in an int32 between checks; keep one step's price far below 2^30.
    if (!(cost.takenBranch >= 0 && cost.takenBranch <= 1 << 20)) throw new HartError(`cost model: takenBranch = ${cost.takenBranch}; the hart supports 0..${1 << 20}`);
    this.events = Object.fromEntries(EVENT_NAMES.map((n) => [n, 0])) as Record<HartEventName, number>;
    this.walker = new Sv32Walker(this.bus.ram32, this.bus.ramBase, this.bus.ramSize, this.pmp);
    this.port = new MonitorPort(this, this.events, this.#strategyEvents, this.walker);
    this.bus.onRamWrite((address, length) => this.invalidateCode(address, length));
    const st = this.#fast;
    st.pd = this.pd;
    st.ram32 = this.bus.ram32;
    st.cnt = this.#opCount;
    st.pageSlot = this.pageSlot;
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
    const pd = this.pd;
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
      if (!setupFetch(this)) continue;

      // The instruction at pc sits at pd[i] (its immediate at pd[i + 1]); pc = bias + 2 * i.
      const bias = (this.fVpage - (this.fSb << 1)) | 0;
      const st = this.#fast;
      st.dm = this.#dataMode;
      st.bias = bias;
      st.i = this.fSb + (((this.pc & 0xfff) >>> 2) << 1);
      st.n = this.fSingle ? 1 : Math.min(left, CHUNK) | 0;
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
          pd[i] = predecode(this, ram32[(this.fPhys + ((i - this.fSb) << 1)) >>> 2]!, i);
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
        const status = this.execute(ram32[(this.fPhys + ((i - this.fSb) << 1)) >>> 2]!);
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
      this.tlbHits += st.th;
    }
  }

  #result(stop: StopReason, startRetired: number): RunResult {
    return { stop, instructions: this.retired - startRetired, pc: this.pc >>> 0 };
  }

  // ---------------------------------------------------------------------------------------------
  // Predecode (predecode.ts)

  /** Forgets predecoded code in [address, address+length) of physical RAM (DMA, loaders). */
  invalidateCode(address: number, length: number): void {
    invalidateCode(this, address, length);
  }

  /** fence.i: drop every predecoded page. */
  flushPredecode(): void {
    flushPredecode(this);
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
    // Loads and stores off the fast path: size and extension from the semantics table.
    const sem = SEMANTICS[form.op]!;
    if (sem.kind === 'load') {
      const v = this.load((r[rs1]! + imm.i(word)) | 0, sem.size, sem.signed);
      if (this.trapped) return 1;
      if (rd !== 0) r[rd] = v;
      return 0;
    }
    if (sem.kind === 'store') {
      this.store((r[rs1]! + imm.s(word)) | 0, sem.size, r[rs2]!);
      return this.trapped ? 1 : 0;
    }
    switch (form.op) {
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
        const v = atomic(this, form.op, r[rs1]!, r[rs2]!);
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

  /** Traps taken (exceptions and interrupts): the run budget counts them as steps. */
  get trapCount(): number {
    return this.traps;
  }

  /** Re-derives translation and fast-path modes after privilege, mstatus, satp or PMP changed. */
  refreshModes(): void {
    this.#modesChanged();
  }

  #modesChanged(): void {
    this.fetchCache.fill(-1);
    const s = this.mstatus;
    this.effPriv = this.priv === 3 && (s & MSTATUS.MPRV) !== 0 ? (((s >>> 11) & 3) as Privilege) : this.priv;
    const sv32 = this.satp >>> 31 === 1;
    this.dataTranslate = sv32 && this.effPriv < 3;
    this.fetchTranslate = sv32 && this.priv < 3;
    this.asid = (this.satp >>> 22) & 0x1ff;
    if (this.dataTranslate) this.#dataMode = 1;
    else this.#dataMode = (this.pmp.permissions(this.bus.ramBase, this.bus.ramSize, this.effPriv) & 3) === 3 ? 0 : 2;
    const t = this.tlb;
    for (let e = 0; e < t.size; e++) refreshTlbEntry(this, e);
  }

  // ---------------------------------------------------------------------------------------------
  // Memory access: translation, PMP, RAM and MMIO (memory-access.ts)

  /**
   * Translates `va` for an access of `size` bytes (within one page) by the privilege that makes
   * it, and checks PMP (memory-access.ts). Returns the physical address, or -1 after taking the trap.
   */
  translate(va: number, access: AccessKind, size: number, tval: number = va): number {
    return translate(this, va, access, size, tval);
  }

  /**
   * A load of `size` bytes at virtual `va`, as the current (effective) privilege makes it
   * (memory-access.ts); misaligned loads are carried out. On a fault the trap is taken and
   * `trapped` is set.
   */
  load(va: number, size: 1 | 2 | 4, signed: boolean): number {
    return load(this, va, size, signed);
  }

  /** A store of the low `size` bytes of `value` at virtual `va` (see `load`). */
  store(va: number, size: 1 | 2 | 4, value: number): void {
    store(this, va, size, value);
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
    out['tlb.hits'] = this.tlbHits;
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
