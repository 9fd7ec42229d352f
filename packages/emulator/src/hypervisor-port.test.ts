// The hart's hypervisor interface, used the way a trap-and-emulate monitor uses it, under both
// engines: a guest kernel in S-mode runs in a RAM window at +64 MiB behind a shadow page table
// the monitor built; the monitor reads trapping instructions through a side-effect-free walk and
// read, emulates a device on a claimed MMIO range, forwards a VM's virtio-blk whose DMA lands in
// the window, takes a level-triggered timer interrupt it never clears, and prices its exit.
import {
  ACCESS_FETCH, ACCESS_STORE, CAUSE, CSR, IRQ, PTE, assemble, decodeForm, field,
} from '@virtlab/cpu-core';
import type { HartMonitor, Sv32WalkResult } from '@virtlab/cpu-core';
import { MemoryWindowError, PhysicalWindow, VirtioBlk, VirtioMmio, costModel } from '@virtlab/hw-model';
import { describe, expect, it } from 'vitest';
import { createEmulator } from './emulator.js';
import { isEngineSpecificCounter } from './engine.js';
import type { EngineKind } from './engine.js';
import { runAsm } from './test-support/lab-state.js';

const HOST_RAM = 0x8000_0000;
const RAM_SIZE = 80 << 20;
/** The VM's guest-physical RAM 0x8000_0000 + 4 MiB is host RAM at +64 MiB. */
const GUEST_RAM = 0x8000_0000;
const WINDOW = 4 << 20;
const HOST_WINDOW = HOST_RAM + (64 << 20);
/** The monitor's shadow page table (host memory, outside the window). */
const ROOT = HOST_RAM + 0x10_0000;
const L2 = ROOT + 0x1000;
/** Claimed physical ranges (outside RAM): a register device and the VM's virtio-blk. */
const DEV = 0x6000_0000;
const VIRTIO = 0x6000_1000;
/** A page mapped by the shadow table with A = D = 0, never touched by the guest. */
const UNTOUCHED_VA = 0x6000_2000;
const UNTOUCHED_PA = HOST_RAM + 0x20_0000;
const MSCRATCH_VALUE = 0x1234_5678;

const GUEST = `
  csrr t0, mscratch
  mv s1, t0
  li t1, 0x60000000
  li t2, 21
  sw t2, 0(t1)
  lw s2, 4(t1)
  lw s3, 8(t1)
  li t1, 0x60001000
  sw zero, 112(t1)
  li t2, 1
  sw t2, 112(t1)
  li t2, 3
  sw t2, 112(t1)
  li t2, 1
  sw t2, 36(t1)
  sw t2, 32(t1)
  sw zero, 36(t1)
  sw zero, 32(t1)
  li t2, 11
  sw t2, 112(t1)
  sw zero, 48(t1)
  li t2, 8
  sw t2, 56(t1)
  li t2, 0x80100000
  sw t2, 128(t1)
  sw zero, 132(t1)
  li t2, 0x80101000
  sw t2, 144(t1)
  sw zero, 148(t1)
  li t2, 0x80102000
  sw t2, 160(t1)
  sw zero, 164(t1)
  li t2, 1
  sw t2, 68(t1)
  li t2, 15
  sw t2, 112(t1)
  li t3, 0x80103000
  sw zero, 0(t3)
  sw zero, 4(t3)
  li t2, 1
  sw t2, 8(t3)
  sw zero, 12(t3)
  li t4, 0x80100000
  sw t3, 0(t4)
  sw zero, 4(t4)
  li t2, 16
  sw t2, 8(t4)
  li t2, 0x00010001
  sw t2, 12(t4)
  li t2, 0x80104000
  sw t2, 16(t4)
  sw zero, 20(t4)
  li t2, 512
  sw t2, 24(t4)
  li t2, 0x00020003
  sw t2, 28(t4)
  li t2, 0x80105000
  sw t2, 32(t4)
  sw zero, 36(t4)
  li t2, 1
  sw t2, 40(t4)
  li t2, 2
  sw t2, 44(t4)
  li t5, 0x80101000
  sw zero, 4(t5)
  li t2, 0x00010000
  sw t2, 0(t5)
  sw zero, 80(t1)
  li t2, 0x80105000
  lbu s4, 0(t2)
  li t2, 0x80104000
  lw s5, 0(t2)
  li t2, 2000
spin:
  addi t2, t2, -1
  bne t2, zero, spin
  li a0, 7
  ecall
`;

/** Index of the first byte where a and b differ, -1 when equal. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

interface Scenario {
  readonly labCycles: number;
  readonly counters: Record<string, number>;
  readonly exit: unknown;
  readonly regs: Record<string, number>;
  readonly fetched: number[];
  readonly interrupts: number[];
  readonly walk: Sv32WalkResult;
  readonly walkSideEffects: Record<string, number>;
  readonly untouchedPte: [number, number];
  readonly sector: Uint8Array;
  readonly hostData: Uint8Array;
  readonly windowData: Uint8Array;
  readonly outsideWindowChanged: number;
  readonly windowError: string;
  readonly claimedAtEnd: number;
}

function scenario(kind: EngineKind, exitPrice: number): Scenario {
  const emu = createEmulator({ engine: kind, boardOptions: { ramSize: RAM_SIZE, cost: costModel({ events: { 'test.exit': exitPrice } }) }, engineOptions: { interpretFirst: 0 } });
  const { board, engine } = emu;
  const hart = engine.hart;
  const port = hart.port;
  const window = new PhysicalWindow(board.bus, GUEST_RAM, WINDOW, HOST_WINDOW);
  const guestMem = port.memory(window);

  // The guest image, in the window at its guest-physical address.
  const { words } = assemble(GUEST, GUEST_RAM);
  guestMem.writeBytes(GUEST_RAM, new Uint8Array(words.buffer));
  guestMem.write(0x8010_5000, 0xff, 1); // the status byte, so that the device's 0 is seen

  // The shadow table: the guest's RAM as one megapage onto the window; the device pages as 4 KiB pages.
  const leaf = (pa: number, flags: number) => (((pa / 4096) << 10) | flags) >>> 0;
  const RWX_AD = PTE.V | PTE.R | PTE.W | PTE.X | PTE.A | PTE.D;
  port.phys.write(ROOT + (GUEST_RAM >>> 22) * 4, leaf(HOST_WINDOW, RWX_AD));
  port.phys.write(ROOT + (DEV >>> 22) * 4, leaf(L2, PTE.V));
  port.phys.write(L2 + 0 * 4, leaf(DEV, PTE.V | PTE.R | PTE.W | PTE.A | PTE.D));
  port.phys.write(L2 + 1 * 4, leaf(VIRTIO, PTE.V | PTE.R | PTE.W | PTE.A | PTE.D));
  port.phys.write(L2 + 2 * 4, leaf(UNTOUCHED_PA, PTE.V | PTE.R | PTE.W));

  // A register device: offset 0 latches a value, 4 reads it doubled plus one, 8 reads an ID.
  let latch = 0;
  port.claimMmio(DEV, 0x1000, {
    read: (offset) => (offset === 4 ? latch * 2 + 1 : offset === 8 ? 0xc0ffee : 0),
    write: (offset, _width, value) => {
      if (offset === 0) latch = value;
    },
  }, 'test-dev');
  // The VM's virtio-blk: its DMA goes through the VM's window.
  const disk = new Uint8Array(8 * 512);
  for (let i = 0; i < disk.length; i++) disk[i] = (i * 13 + 7) & 0xff;
  const vblk = new VirtioMmio('vm-virtio-blk', window, new VirtioBlk({ disk }));
  port.claimMmio(VIRTIO, 0x1000, { read: (o, w) => vblk.read(o, w), write: (o, w, v) => vblk.write(o, v, w) }, 'vm-virtio');

  const fetched: number[] = [];
  const interrupts: number[] = [];
  let walk: Sv32WalkResult | undefined;
  let walkSideEffects: Record<string, number> = {};
  let untouchedPte: [number, number] = [0, 0];
  let windowError = '';
  const monitor: HartMonitor = {
    onTrap(h, trap) {
      const p = h.port;
      if (trap.interrupt) {
        // MTIP, never cleared here: the interrupt rule keeps it from trapping again.
        interrupts.push(trap.code);
        return 'handled';
      }
      // The trapping instruction, fetched through the guest's (shadow) page table.
      const w = p.walk(p.readCsr(CSR.satp)!, trap.epc, ACCESS_FETCH);
      if (!w.ok) return 'deliver';
      const word = p.phys.read(w.pa, 4) | 0;
      fetched.push(word >>> 0);
      if (trap.code === CAUSE.illegalInstruction) {
        const form = decodeForm(word);
        if (form?.mnemonic !== 'csrrs' || field.csr(word) !== CSR.mscratch) return 'deliver';
        p.writeReg(field.rd(word), MSCRATCH_VALUE);
        p.pc = trap.epc + 4;
        return 'handled';
      }
      if (trap.code === CAUSE.ecallS) {
        const before = h.counters();
        const pteBefore = p.phys.read(L2 + 2 * 4);
        walk = p.walk(p.readCsr(CSR.satp)!, UNTOUCHED_VA + 0x124, ACCESS_STORE);
        const after = h.counters();
        untouchedPte = [pteBefore, p.phys.read(L2 + 2 * 4)];
        walkSideEffects = Object.fromEntries(
          ['tlb.misses', 'tlb.hits', 'tlb.walk_levels', 'tlb.flushes', 'cycles', 'monitor.walks'].map((k) => [k, after[k]! - before[k]!]),
        );
        try {
          guestMem.read(GUEST_RAM + WINDOW, 4);
        } catch (e) {
          windowError = e instanceof MemoryWindowError ? e.message : String(e);
        }
        p.chargeEvent('test.exit');
        board.halt.request({ kind: 'poweroff', exitCode: p.readReg(10) });
        p.pc = trap.epc + 4;
        return 'handled';
      }
      return 'deliver';
    },
  };
  hart.monitor = monitor;

  // The timer: due at mtime 40 (400 lab cycles), with MTIE on; nobody ever moves mtimecmp.
  board.bus.write(0x0200_4004, 0, 4);
  board.bus.write(0x0200_4000, 40, 4);
  hart.writeCsr(CSR.mie, 1 << IRQ.MTI);
  // PMP: S-mode may reach everything (without an entry it reaches nothing, priv 3.7.1).
  hart.writeCsr(CSR.pmpaddr0, -1);
  hart.writeCsr(CSR.pmpcfg0, 0x1f);
  hart.writeCsr(CSR.satp, (1 << 31) | (ROOT / 4096));
  engine.priv = 1;
  engine.pc = GUEST_RAM;

  const before = board.bus.ram.slice();
  const run = emu.run({ maxInstructions: 200_000, sliceSteps: 10_000 });
  const ram = board.bus.ram;
  const w0 = HOST_WINDOW - HOST_RAM;
  const outsideWindowChanged = Math.max(
    firstDifference(ram.subarray(0, w0), before.subarray(0, w0)),
    firstDifference(ram.subarray(w0 + WINDOW), before.subarray(w0 + WINDOW)),
  );
  const counters: Record<string, number> = {};
  for (const [k, v] of Object.entries(run.counters)) if (!isEngineSpecificCounter(k)) counters[k] = v;
  const r = engine.regs;
  return {
    labCycles: run.labCycles,
    counters,
    exit: run.exit,
    regs: { s1: r[9]!, s2: r[18]!, s3: r[19]!, s4: r[20]!, s5: r[21]! },
    fetched,
    interrupts,
    walk: walk!,
    walkSideEffects,
    untouchedPte,
    sector: disk.slice(512, 1024),
    hostData: board.bus.readRam(HOST_WINDOW + 0x10_4000, 512),
    windowData: window.readBytes(0x8010_4000, 512),
    outsideWindowChanged,
    windowError,
    claimedAtEnd: port.claimedInterrupts,
  };
}

describe('the hypervisor interface, under a TypeScript monitor', () => {
  const runs = new Map<string, Scenario>();
  const get = (kind: EngineKind, price: number) => {
    const key = `${kind}/${price}`;
    if (!runs.has(key)) runs.set(key, scenario(kind, price));
    return runs.get(key)!;
  };

  for (const kind of ['interp', 'dbt'] as const) {
    describe(kind, () => {
      it('reads the trapping instruction through a side-effect-free walk and emulates it', () => {
        const s = get(kind, 1000);
        expect(s.exit).toEqual({ kind: 'poweroff', exitCode: 7, via: 'finisher' });
        // csrrs t0, mscratch, x0 = csr 0x340 | rs1 0 | funct3 2 | rd 5 | SYSTEM (unpriv 2.8, priv 2.2).
        // ecall = 0x00000073.
        expect(s.fetched).toEqual([0x340022f3, 0x00000073]);
        expect(s.regs.s1).toBe(MSCRATCH_VALUE);
        expect(s.counters['trap.illegal_instruction']).toBe(1);
        expect(s.counters['trap.ecall_s']).toBe(1);
      });

      it('walks a guest page table without touching the TLB, the A/D bits or the clock', () => {
        const s = get(kind, 1000);
        // Root entry 0x180 (VA[31:22]) points at L2; L2 entry 2 (VA[21:12]) is the leaf (priv 4.3.2).
        expect(s.walk).toEqual({
          ok: true, bare: false, pa: UNTOUCHED_PA + 0x124, pte: ((UNTOUCHED_PA / 4096) << 10) | PTE.V | PTE.R | PTE.W, pageSize: 4096,
          chain: [
            { level: 1, address: ROOT + 0x180 * 4, pte: ((L2 / 4096) << 10) | PTE.V },
            { level: 0, address: L2 + 2 * 4, pte: ((UNTOUCHED_PA / 4096) << 10) | PTE.V | PTE.R | PTE.W },
          ],
        });
        expect(s.walkSideEffects).toEqual({ 'tlb.misses': 0, 'tlb.hits': 0, 'tlb.walk_levels': 0, 'tlb.flushes': 0, cycles: 0, 'monitor.walks': 1 });
        // A store walk would set A and D in a hart's walk (priv 4.3.2 step 7): the port's does not.
        expect(s.untouchedPte[1]).toBe(s.untouchedPte[0]);
        expect(s.untouchedPte[1] & (PTE.A | PTE.D)).toBe(0);
      });

      it('emulates a device on a claimed MMIO range, each access charged as MMIO', () => {
        const s = get(kind, 1000);
        expect([s.regs.s2, s.regs.s3]).toEqual([43, 0xc0ffee]);
        // 3 device accesses; virtio: 18 register writes (init, features, queue 0) and the notify.
        expect(s.counters['monitor.mmio_accesses']).toBe(3 + 19);
        expect(s.counters['mmio.accesses']).toBe(3 + 19);
        expect(s.counters['monitor.mmio_claims']).toBe(2);
      });

      it("lands the VM's virtio-blk DMA inside its window and nowhere else", () => {
        const s = get(kind, 1000);
        expect(s.regs.s4).toBe(0); // VIRTIO_BLK_S_OK
        expect(s.hostData).toEqual(s.sector);
        expect(s.windowData).toEqual(s.sector);
        expect(s.regs.s5! >>> 0).toBe((s.sector[0]! | (s.sector[1]! << 8) | (s.sector[2]! << 16) | (s.sector[3]! << 24)) >>> 0);
        expect(s.outsideWindowChanged).toBe(-1);
        expect(s.windowError).toMatch(/read of 4 byte\(s\) at guest-physical 0x80400000 is outside the window 0x80000000\.\.0x80400000/);
      });

      it('takes a level-triggered interrupt it never clears once (claim rule), and the guest finishes', () => {
        const s = get(kind, 1000);
        expect(s.interrupts).toEqual([IRQ.MTI]);
        expect(s.counters['irq.mtimer']).toBe(1);
        expect(s.counters['monitor.irq_claims']).toBe(1);
        expect(s.counters['monitor.handled']).toBe(3); // the mscratch read, MTIP, the exit ecall
        expect(s.claimedAtEnd).toBe(1 << IRQ.MTI); // still pending and claimed when the guest ended
      });

      it('prices the exit event from the cost model, counted under its name', () => {
        const priced = get(kind, 1000);
        const free = get(kind, 0);
        expect(priced.labCycles - free.labCycles).toBe(1000);
        expect(priced.counters['event.test.exit']).toBe(1);
      });
    });
  }

  it('gives identical lab cycles and counters under both engines', () => {
    const a = get('interp', 1000);
    const b = get('dbt', 1000);
    expect(b.labCycles).toBe(a.labCycles);
    expect(b.counters).toEqual(a.counters);
  });
});

describe('monitor time and the ISA profile, the same under both engines', () => {
  // U-mode code under PMP that grants everything; the M-mode trap handler saves mcause and exits.
  const prologue = (user: string) => `
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
    li t0, m_trap
    csrw mtvec, t0
    li t0, 0x22
    csrw mstatus, t0
    li t0, user
    csrw mepc, t0
    mret
  user:
    ${user}
  m_trap:
    csrr s3, mcause
    csrr s4, mstatus
    li t6, 0x100000
    li t5, 0x5555
    sw t5, 0(t6)
  spin:
    j spin
  `;
  const skipEcalls: HartMonitor = {
    onTrap(h, trap) {
      if (trap.code !== CAUSE.ecallU || h.port.readReg(17) !== 0) return 'deliver';
      h.port.pc = trap.epc + 4;
      return 'handled';
    },
  };

  for (const kind of ['interp', 'dbt'] as const) {
    it(`${kind}: a handled trap costs trapEntry + trapReturn, and the trapping instruction neither retires nor is charged`, () => {
      const withEcall = runAsm(kind, prologue('li a7, 0\n ecall\n li a7, 1\n ecall'), { engineOptions: { monitor: skipEcalls } });
      const withNop = runAsm(kind, prologue('li a7, 0\n nop\n li a7, 1\n ecall'), { engineOptions: { monitor: skipEcalls } });
      const cost = withEcall.emu.board.cost;
      // The nop retires at alu price; the handled ecall does not retire and costs entry + return.
      expect(withEcall.obs.labCycles - withNop.obs.labCycles).toBe(cost.trapEntry + cost.trapReturn - cost.instruction.alu);
      expect(withNop.obs.counters.instret! - withEcall.obs.counters.instret!).toBe(1);
      expect(withEcall.obs.counters['monitor.handled']).toBe(1);
    });

    it(`${kind}: the legacy profile lets U-mode read sstatus and drops its SIE write (rv32ima traps)`, () => {
      const user = 'csrr s1, sstatus\n csrw sstatus, zero\n ecall';
      const legacy = runAsm(kind, prologue(user), { engineOptions: { profile: 'legacy' } });
      // mstatus was SIE | SPIE: sstatus shows both (priv 4.1.1); the write of 0 keeps SIE (the hole's mask).
      expect(legacy.reg('s1')).toBe(0x22);
      expect(legacy.reg('s3')).toBe(CAUSE.ecallU);
      expect(legacy.reg('s4') & 0x22).toBe(0x02);
      const standard = runAsm(kind, prologue(user), { engineOptions: { profile: 'rv32ima' } });
      expect(standard.reg('s1')).toBe(0);
      expect(standard.reg('s3')).toBe(CAUSE.illegalInstruction);
      if (kind === 'dbt') {
        expect(legacy.obs).toEqual(runAsm('interp', prologue(user), { engineOptions: { profile: 'legacy' } }).obs);
        expect(standard.obs).toEqual(runAsm('interp', prologue(user), { engineOptions: { profile: 'rv32ima' } }).obs);
      }
    });
  }
});
