// Sv32 (priv 4.3) and PMP (priv 3.7), written from the spec: two-level walks, superpages,
// permission checks by mode with SUM/MXR/MPRV, A/D bits set by the hardware as QEMU 7.2 does,
// page faults with cause and tval, sfence.vma by address and ASID, and the modeled TLB.
import { describe, expect, it } from 'vitest';
import { CAUSE, MSTATUS } from './csr.js';
import { machine, runToExit } from './test/harness.js';
import type { Machine } from './test/harness.js';
import type { HartMonitor } from './hart.js';
import { enter, log, program } from './test/programs.js';

const ROOT = 0x8008_0000;
const L2 = 0x8008_1000;
const V = 1, R = 2, W = 4, X = 8, U = 16, G = 32, A = 64, D = 128;
const pte = (pa: number, flags: number) => ((Math.floor(pa / 4096) << 10) | flags) >>> 0;

/** Identity-maps RAM with a 4 MiB superpage (RWX, no U) and puts test pages under VA 0x40000000. */
function pageTables(m: Machine, extra: Record<number, number> = {}): void {
  const w = (a: number, v: number) => m.platform.bus.write(a, v, 4);
  w(ROOT + (0x80000000 >>> 22) * 4, pte(0x80000000, V | R | W | X | A | D));
  w(ROOT + (0x00000000 >>> 22) * 4, pte(0x00000000, V | R | W | A | D)); // MMIO (finisher) for EXIT
  w(ROOT + (0x40000000 >>> 22) * 4, pte(L2, V));
  for (const [va, entry] of Object.entries(extra)) w(L2 + ((Number(va) >>> 12) & 0x3ff) * 4, entry);
}

const SATP = (asid = 0) => ((1 << 31) | (asid << 22) | (ROOT >>> 12)) | 0;
const DATA = 0x8009_0000;

function sv32(body: string, extra: Record<number, number>, setup = '', monitor?: HartMonitor): Machine {
  const m = machine(program(`
    ${setup}
    li t0, ${SATP()}
    csrw satp, t0
    ${enter(1, 'in_s')}
  in_s:
    ${body}
  ` + `
    li t6, 0x100000
    li t5, 0x5555
    sw t5, 0(t6)
  halt_loop:
    j halt_loop
  `));
  pageTables(m, extra);
  m.hart.monitor = monitor;
  const r = m.run(1_000_000);
  if (r.stop.kind !== 'halted') throw new Error(`did not finish: ${JSON.stringify(r.stop)} at ${m.hart.describe()}`);
  return m;
}

describe('Sv32 translation', () => {
  it('walks two levels, sets A (and D on stores) in the PTE, and uses 4 MiB superpages', () => {
    const m = sv32(`
      li t1, 0x40000010
      li t2, 1234
      sw t2, 0(t1)
      lw a0, 0(t1)
      li t1, 0x40001000
      lw a1, 0(t1)
    `, { 0x40000000: pte(DATA, V | R | W), 0x40001000: pte(DATA + 0x1000, V | R | W) });
    expect(m.reg('a0')).toBe(1234);
    expect(m.platform.bus.read(DATA + 0x10, 4)).toBe(1234);
    // QEMU 7.2 sets A on any access and D on a store, in memory.
    expect(m.platform.bus.read(L2, 4) & (A | D)).toBe(A | D);
    expect(m.platform.bus.read(L2 + 4, 4) & (A | D)).toBe(A);
    const c = m.hart.counters();
    expect(c['tlb.misses']).toBeGreaterThanOrEqual(3); // code superpage, two data pages
    expect(c['tlb.hits']).toBeGreaterThan(0);
  });

  it('raises load/store/fetch page faults with the virtual address in tval', () => {
    const m = sv32(`
      li t1, 0x40005000
      lw a0, 8(t1)
      sw a0, 12(t1)
      li t1, 0x40002000
      sw a0, 0(t1)
      li t1, 0x40003000
      jalr ra, 0(t1)
    `, { 0x40002000: pte(DATA, V | R), 0x40003000: pte(DATA, V | R | W) }, '', {
      // The fetch fault's epc is the target itself: return to the caller instead.
      onTrap: (h, t) => {
        if (t.code !== CAUSE.fetchPageFault) return 'deliver';
        h.writeCsr(0x341, t.epc);
        h.writeCsr(0x343, t.tval);
        h.writeCsr(0x342, t.cause);
        h.regs[31] = h.readCsr(0x342)!;
        const s11 = h.regs[27]!;
        h.bus.write(s11 >>> 0, t.cause, 4);
        h.bus.write((s11 + 4) >>> 0, t.tval, 4);
        h.regs[27] = s11 + 16;
        h.pc = h.regs[1]!;
        return 'handled';
      },
    });
    const l = log(m);
    expect(l.map((e) => [e.cause, e.tval >>> 0])).toEqual([
      [CAUSE.loadPageFault, 0x40005008],
      [CAUSE.storePageFault, 0x4000500c],
      [CAUSE.storePageFault, 0x40002000],
      [CAUSE.fetchPageFault, 0x40003000],
    ]);
  });

  it('honours U, SUM and MXR for S-mode and the U bit for U-mode', () => {
    const m = sv32(`
      li t1, 0x40000000
      lw a0, 0(t1)
      li t0, ${MSTATUS.SUM}
      csrs sstatus, t0
      lw a1, 0(t1)
      li t1, 0x40001000
      lw a2, 0(t1)
      li t0, ${MSTATUS.MXR}
      csrs sstatus, t0
      lw a3, 0(t1)
    `, { 0x40000000: pte(DATA, V | R | W | U), 0x40001000: pte(DATA, V | X) }, `
      li t0, ${DATA}
      li t1, 77
      sw t1, 0(t0)
    `);
    // S reads a U page only with SUM; an execute-only page is readable only with MXR.
    expect(log(m).map((e) => [e.cause, e.tval >>> 0])).toEqual([
      [CAUSE.loadPageFault, 0x40000000],
      [CAUSE.loadPageFault, 0x40001000],
    ]);
    expect([m.reg('a1'), m.reg('a3')]).toEqual([77, 77]);
  });

  it('lets U-mode reach only U pages', () => {
    const m = machine(program(`
      li t0, ${DATA}
      li t1, 31
      sw t1, 0(t0)
      li t0, ${SATP()}
      csrw satp, t0
      ${enter(0, 'in_u')}
    in_u:
      li t1, 0x40000000
      lw a0, 0(t1)
      li t1, 0x40001000
      lw a1, 0(t1)
      li t6, 0x100000
      li t5, 0x5555
      sw t5, 0(t6)
    `));
    pageTables(m, { 0x40000000: pte(DATA, V | R | W | U), 0x40001000: pte(DATA, V | R | W) });
    // Code and the finisher are user pages here.
    m.platform.bus.write(ROOT + (0x80000000 >>> 22) * 4, pte(0x80000000, V | R | W | X | U | A | D), 4);
    m.platform.bus.write(ROOT, pte(0, V | R | W | U | A | D), 4);
    expect(m.run(10_000).stop.kind).toBe('halted');
    expect(m.reg('a0')).toBe(31);
    expect(log(m).map((e) => [e.cause, e.tval >>> 0, (e.mstatus >>> 11) & 3])).toEqual([[CAUSE.loadPageFault, 0x40001000, 0]]);
  });

  it('applies MPRV: M-mode loads and stores translate as MPP would, fetches do not', () => {
    const m = machine(program(`
      li t0, ${DATA}
      li t1, 55
      sw t1, 0(t0)
      li t0, ${SATP()}
      csrw satp, t0
      li t0, ${MSTATUS.MPRV | (1 << 11) | MSTATUS.SUM}
      csrs mstatus, t0
      li t1, 0x40000000
      lw a0, 0(t1)
      li t0, ${MSTATUS.MPRV}
      csrc mstatus, t0
      li t1, 0x40000000
      lw a1, 0(t1)
      li t6, 0x100000
      li t5, 0x5555
      sw t5, 0(t6)
    `));
    pageTables(m, { 0x40000000: pte(DATA, V | R | W | U) });
    expect(m.run(10_000).stop.kind).toBe('halted');
    expect(m.reg('a0')).toBe(55); // translated as S with SUM
    // Without MPRV, M accesses 0x40000000 physically: nothing there.
    expect(log(m).map((e) => [e.cause, e.tval >>> 0])).toEqual([[CAUSE.loadAccess, 0x40000000]]);
  });
});

describe('TLB and sfence.vma', () => {
  it('keeps using a cached translation until sfence.vma of that address, then walks again', () => {
    const m = sv32(`
      li t1, 0x40000000
      lw a0, 0(t1)
      li t2, ${0x8008_1000}
      li t3, ${pte(DATA + 0x1000, V | R | W | A | D)}
      sw t3, 0(t2)
      lw a1, 0(t1)
      sfence.vma t1, zero
      lw a2, 0(t1)
    `, { 0x40000000: pte(DATA, V | R | W | A | D) }, `
      li t0, ${DATA}
      li t1, 1
      sw t1, 0(t0)
      li t0, ${DATA + 0x1000}
      li t1, 2
      sw t1, 0(t0)
    `);
    expect([m.reg('a0'), m.reg('a1'), m.reg('a2')]).toEqual([1, 1, 2]);
    expect(m.hart.counters()['tlb.flushes']).toBe(1);
  });

  it('tags entries with the ASID: sfence.vma by ASID spares global mappings and other ASIDs', () => {
    const m = machine('nop');
    const h = m.hart;
    pageTables(m, { 0x40000000: pte(DATA, V | R | W | A | D), 0x40001000: pte(DATA, V | R | W | A | D | G) });
    h.writeCsr(0x180, SATP(5));
    h.priv = 1;
    h.refreshModes();
    h.writeCsr(0x3b0, -1);
    h.writeCsr(0x3a0, 0x1f);
    h.load(0x40000000, 4, false);
    h.load(0x40001000, 4, false);
    expect(h.counters()['tlb.misses']).toBe(2);
    h.load(0x40000000, 4, false);
    expect(h.counters()['tlb.hits']).toBe(1);
    h.tlb.flush(undefined, 5);
    h.load(0x40001000, 4, false); // global: survives
    h.load(0x40000000, 4, false); // ASID 5: flushed
    expect([h.counters()['tlb.hits'], h.counters()['tlb.misses']]).toEqual([2, 3]);
    h.writeCsr(0x180, SATP(6));
    h.load(0x40000000, 4, false); // another ASID: the ASID-5 entry does not match
    expect(h.counters()['tlb.misses']).toBe(4);
  });

  it('models a fixed number of entries: a direct-mapped conflict evicts', () => {
    const m = machine('nop', { tlbEntries: 4 });
    const h = m.hart;
    pageTables(m, { 0x40000000: pte(DATA, V | R | W | A | D), 0x40004000: pte(DATA, V | R | W | A | D) });
    h.writeCsr(0x180, SATP());
    h.writeCsr(0x3b0, -1);
    h.writeCsr(0x3a0, 0x1f);
    h.priv = 1;
    h.refreshModes();
    for (let k = 0; k < 3; k++) {
      h.load(0x40000000, 4, false);
      h.load(0x40004000, 4, false);
    }
    expect(h.counters()['tlb.misses']).toBe(6);
    expect(h.counters()['tlb.walk_levels']).toBe(12); // two levels per walk
  });

  it('faults on a misaligned superpage and on a PTE outside RAM', () => {
    const m = sv32(`
      li t1, 0x00c00000
      lw a0, 0(t1)
      li t1, 0x40007000
      lw a0, 0(t1)
    `, { 0x40007000: pte(DATA, V | R) }, `
      li t0, ${ROOT + 3 * 4}
      li t1, ${pte(0x80001000, V | R | W)}
      sw t1, 0(t0)
      li t0, ${L2 + 7 * 4}
      li t1, ${pte(0x40000000, V)}
      sw t1, 0(t0)
    `);
    expect(log(m).map((e) => [e.cause, e.tval >>> 0])).toEqual([
      [CAUSE.loadPageFault, 0x00c00000],
      [CAUSE.loadPageFault, 0x40007000],
    ]);
  });
});

describe('PMP', () => {
  it('denies S and U everything when no entry matches, including instruction fetch', () => {
    const m = machine(`
      li t0, m_trap
      csrw mtvec, t0
      li t0, u_code
      csrw mepc, t0
      mret
    u_code:
      nop
    m_trap:
      csrr a0, mcause
      csrr a1, mtval
      li t6, 0x100000
      li t5, 0x5555
      sw t5, 0(t6)
    `);
    m.run(1000);
    expect(m.reg('a0')).toBe(CAUSE.fetchAccess);
    expect(m.reg('a1') >>> 0).toBe(m.labels.get('u_code'));
  });

  it('grants by TOR, NA4 and NAPOT regions, lowest-numbered match first', () => {
    const h = machine('nop').hart;
    // 0: TOR [0, 0x80000000) none; 1: NA4 at 0x80001000 R; 2: NAPOT 0x80000000/8K RW; 3: NAPOT all RWX
    h.writeCsr(0x3b0, 0x80000000 >>> 2);
    h.writeCsr(0x3b1, 0x80001000 >>> 2);
    h.writeCsr(0x3b2, (0x80000000 >>> 2) | ((8192 >> 3) - 1));
    h.writeCsr(0x3b3, -1);
    h.writeCsr(0x3a0, 0x08 | (0x11 << 8) | (0x1b << 16) | (0x1f << 24));
    const p = h.pmp;
    expect(p.permissions(0x100, 4, 1)).toBe(0);
    expect(p.permissions(0x80001000, 4, 1)).toBe(1);
    expect(p.permissions(0x80001004, 4, 1)).toBe(3);
    expect(p.permissions(0x80002000, 4, 1)).toBe(7);
    expect(p.permissions(0x80000ff8, 8, 1)).toBe(3); // inside the NAPOT region only
    expect(p.permissions(0x80000ffe, 4, 1)).toBe(0); // NA4 (entry 1) matches only part: it decides, and fails
    expect(p.permissions(0x80001ffe, 4, 0)).toBe(0); // straddles entries 2 and 3: partial match fails
    expect(p.permissions(0x100, 4, 3)).toBe(7); // M without lock: allowed
  });

  it('applies locked entries to M and ignores writes to them', () => {
    const m = runToExit(program(`
      li t0, -1
      csrw pmpaddr1, t0
      li t0, ${(0x80090000 >>> 2) | ((4096 >> 3) - 1)}
      csrw pmpaddr0, t0
      li t0, ${(0x1f << 8) | 0x99}
      csrw pmpcfg0, t0
      li t1, 0x80090000
      lw a0, 0(t1)
      sw a0, 0(t1)
      csrsi pmpcfg0, 6
      csrr a1, pmpcfg0
      csrw pmpaddr0, zero
      csrr a2, pmpaddr0
    `));
    // Entry 0 (locked, read-only) now binds M too: the store faults, the load does not.
    expect(log(m).map((e) => [e.cause, e.tval >>> 0])).toEqual([[CAUSE.storeAccess, 0x80090000]]);
    expect(m.reg('a1') & 0xff).toBe(0x99);
    expect(m.reg('a2') >>> 0).toBe((0x80090000 >>> 2) | 511);
  });

  it('checks page-table walks: a page table PMP denies gives an access fault of the access type', () => {
    const m = sv32(`
      li t1, 0x40000000
      lw a0, 0(t1)
    `, { 0x40000000: pte(DATA, V | R | W) }, `
      li t0, ${(L2 >>> 2) | ((4096 >> 3) - 1)}
      csrw pmpaddr0, t0
      li t0, -1
      csrw pmpaddr1, t0
      li t0, ${0x18 | (0x1f << 8)}
      csrw pmpcfg0, t0
    `);
    expect(log(m).map((e) => [e.cause, e.tval >>> 0])).toEqual([[CAUSE.loadAccess, 0x40000000]]);
  });
});
