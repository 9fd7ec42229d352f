// The hypervisor port's own guarantees: its Sv32 walk agrees with the hart's MMU on every case
// and has no side effects; MMIO claims refuse overlaps; a TLB flush from the port is a TLB flush.
import { describe, expect, it } from 'vitest';
import { CAUSE, CSR, MSTATUS } from './csr.js';
import { Hart } from './hart.js';
import { MmioClaimError } from './hypervisor-port.js';
import { machine } from './test/harness.js';
import { MiniPlatform } from './mini-platform.js';
import { ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE, PTE } from './sv32-walk.js';
import type { AccessKind } from './sv32-walk.js';

const RAM = 0x8000_0000;
const ROOT = RAM + 0x1_0000;
const L2 = RAM + 0x1_1000;
const { V, R, W, X, U, A, D } = PTE;

function pte(pa: number, flags: number): number {
  return ((Math.floor(pa / 4096) << 10) | flags) >>> 0;
}

/** A hart on a 1 MiB MiniPlatform with PMP open to S and U, and a table exercising each rule of priv 4.3.2. */
function setup(): { hart: Hart; write: (pa: number, v: number) => void } {
  const platform = new MiniPlatform({ ramSize: 1 << 20 });
  const hart = new Hart(platform);
  hart.writeCsr(CSR.pmpaddr0, -1);
  hart.writeCsr(CSR.pmpcfg0, 0x1f);
  const write = (pa: number, v: number) => platform.bus.write(pa, v, 4);
  const l1 = (va: number, v: number) => write(ROOT + (va >>> 22) * 4, v);
  l1(0x4000_0000, pte(RAM, V | R | W | X | A | D)); // 4 MiB megapage, supervisor
  l1(0x4040_0000, pte(RAM + 0x1000, V | R | W | A | D)); // misaligned megapage (PPN[0] != 0)
  l1(0x4080_0000, pte(RAM, V | W | A | D)); // reserved: W without R
  l1(0x40c0_0000, 0); // invalid
  l1(0x4100_0000, pte(L2, V)); // pointer to a second level
  l1(0x4140_0000, pte(0x1000_0000, V)); // pointer to a table outside RAM
  l1(0x4180_0000, pte(RAM, V | R | X | U | A)); // user megapage, no D
  write(L2 + 0 * 4, pte(RAM + 0x2000, V | R | W | U | A | D)); // user page
  write(L2 + 1 * 4, pte(RAM + 0x3000, V | X | A)); // execute-only (MXR makes it readable)
  write(L2 + 2 * 4, pte(RAM + 0x4000, V)); // a pointer at level 0
  write(L2 + 3 * 4, pte(RAM + 0x5000, V | R | W)); // A = D = 0: the hart sets them, the port does not
  write(L2 + 4 * 4, pte(RAM + 0x6000, V | W | X)); // W without R at level 0
  hart.writeCsr(CSR.satp, (1 << 31) | (3 << 22) | (ROOT / 4096));
  return { hart, write };
}

const VAS = [
  0x4000_0123, 0x403f_fffc, 0x4040_0010, 0x4080_0000, 0x40c0_0000, 0x4100_0008, 0x4100_1010, 0x4100_2000, 0x4100_3ffc,
  0x4100_4000, 0x4100_5000, 0x4140_0000, 0x4180_0040,
];
const ACCESSES: AccessKind[] = [ACCESS_LOAD, ACCESS_STORE, ACCESS_FETCH];

describe('MonitorPort.walk', () => {
  it("agrees with the hart's own translation on every table, access, privilege, SUM and MXR", () => {
    let compared = 0;
    for (const priv of [0, 1] as const) {
      for (const sum of [false, true]) {
        for (const mxr of [false, true]) {
          for (const va of VAS) {
            for (const access of ACCESSES) {
              const { hart } = setup();
              const status = (sum ? MSTATUS.SUM : 0) | (mxr ? MSTATUS.MXR : 0);
              const w = hart.port.walk(hart.satp, va, access, { priv, sum, mxr });
              hart.mstatus = status;
              hart.priv = priv;
              hart.mcause = -1;
              const pa = hart.translate(va, access, 4);
              const where = `va 0x${va.toString(16)} access ${access} priv ${priv} sum ${sum} mxr ${mxr}`;
              if (w.ok) {
                expect(pa, where).toBe(w.pa);
              } else {
                expect(pa, where).toBe(-1);
                expect(hart.mcause, where).toBe(w.cause);
              }
              compared++;
            }
          }
        }
      }
    }
    expect(compared).toBe(2 * 2 * 2 * VAS.length * 3);
  });

  it('gives the spec outcome on each rule (priv 4.3.2)', () => {
    const { hart } = setup();
    const walk = (va: number, access: AccessKind, opts = {}) => hart.port.walk(hart.satp, va, access, opts);
    expect(walk(0x4000_0123, ACCESS_LOAD)).toMatchObject({ ok: true, pa: RAM + 0x123, pageSize: 4194304 });
    expect(walk(0x403f_fffc, ACCESS_STORE)).toMatchObject({ ok: true, pa: RAM + 0x3f_fffc });
    expect(walk(0x4040_0010, ACCESS_LOAD)).toMatchObject({ ok: false, cause: CAUSE.loadPageFault, reason: 'misaligned-superpage' });
    expect(walk(0x4080_0000, ACCESS_STORE)).toMatchObject({ ok: false, cause: CAUSE.storePageFault, reason: 'reserved-w-without-r' });
    expect(walk(0x40c0_0000, ACCESS_FETCH)).toMatchObject({ ok: false, cause: CAUSE.fetchPageFault, reason: 'invalid-pte' });
    expect(walk(0x4100_0008, ACCESS_LOAD)).toMatchObject({ ok: false, reason: 'permission' }); // U page from S without SUM
    expect(walk(0x4100_0008, ACCESS_LOAD, { sum: true })).toMatchObject({ ok: true, pa: RAM + 0x2008, pageSize: 4096 });
    expect(walk(0x4100_0008, ACCESS_FETCH, { sum: true })).toMatchObject({ ok: false, reason: 'permission' }); // SUM never allows fetch
    expect(walk(0x4100_1010, ACCESS_LOAD)).toMatchObject({ ok: false, reason: 'permission' });
    expect(walk(0x4100_1010, ACCESS_LOAD, { mxr: true })).toMatchObject({ ok: true, pa: RAM + 0x3010 });
    expect(walk(0x4100_2000, ACCESS_LOAD)).toMatchObject({ ok: false, reason: 'no-leaf-at-level-0' });
    expect(walk(0x4100_4000, ACCESS_LOAD)).toMatchObject({ ok: false, reason: 'reserved-w-without-r' });
    expect(walk(0x4140_0000, ACCESS_LOAD)).toMatchObject({ ok: false, cause: CAUSE.loadPageFault, reason: 'pte-not-in-ram', chain: [{ level: 1 }] });
    expect(walk(0x4180_0040, ACCESS_LOAD, { priv: 0 })).toMatchObject({ ok: true, pa: RAM + 0x40 });
    expect(walk(0x4180_0040, ACCESS_LOAD, { priv: 1 })).toMatchObject({ ok: false, reason: 'permission' });
    expect(hart.port.walk(0, 0x1234_5678, ACCESS_LOAD)).toEqual({ ok: true, bare: true, pa: 0x1234_5678, pte: 0, pageSize: 4096, chain: [] });
  });

  it('changes no A/D bit, TLB entry, lab cycle or counter but its own, where the hart walk sets A and D', () => {
    const { hart } = setup();
    const before = hart.counters();
    const leafAt = L2 + 3 * 4;
    const w = hart.port.walk(hart.satp, 0x4100_3ffc, ACCESS_STORE);
    expect(w).toMatchObject({ ok: true, pa: RAM + 0x5ffc, pte: pte(RAM + 0x5000, V | R | W) });
    const after = hart.counters();
    for (const k of Object.keys(before)) if (k !== 'monitor.walks') expect(after[k], k).toBe(before[k]);
    expect(after['monitor.walks']).toBe(1);
    expect(hart.bus.read(leafAt, 4)).toBe(pte(RAM + 0x5000, V | R | W));
    expect([...hart.tlb.vpn].every((v) => v === -1)).toBe(true);
    // The hart's own store walk sets A and D (priv 4.3.2 step 7, as QEMU does).
    hart.priv = 1;
    expect(hart.translate(0x4100_3ffc, ACCESS_STORE, 4)).toBe(RAM + 0x5ffc);
    expect(hart.bus.read(leafAt, 4)).toBe(pte(RAM + 0x5000, V | R | W | A | D));
  });
});

describe('MonitorPort claims and flushes', () => {
  it('refuses overlapping claims, claims over RAM and releases of nothing, naming the ranges', () => {
    const { hart } = setup();
    const dev = { read: () => 0, write: () => undefined };
    const c = hart.port.claimMmio(0x3000_0000, 0x1000, dev, 'a');
    expect(() => hart.port.claimMmio(0x3000_0800, 0x1000, dev, 'b')).toThrow(MmioClaimError);
    expect(() => hart.port.claimMmio(0x3000_0800, 0x1000, dev, 'b')).toThrow(/claim 'b' 0x30000800\.\.0x30001800 overlaps claim 'a' 0x30000000\.\.0x30001000/);
    expect(() => hart.port.claimMmio(RAM - 0x1000, 0x2000, dev, 'c')).toThrow(/overlaps RAM/);
    hart.port.releaseMmio(c);
    expect(() => hart.port.releaseMmio(0x3000_0000)).toThrow(/release: no claim at 0x30000000/);
    hart.port.claimMmio(0x3000_0800, 0x1000, dev, 'b');
    expect(hart.counters()['monitor.mmio_claims']).toBe(2);
    expect(hart.counters()['monitor.mmio_releases']).toBe(1);
  });

  it('counts a flush from the port as a TLB flush, as sfence.vma is', () => {
    const { hart } = setup();
    hart.priv = 1;
    hart.translate(0x4000_0000, ACCESS_LOAD, 4);
    expect(hart.tlb.vpn.includes(0x40000)).toBe(true);
    hart.port.flushTlb();
    expect(hart.tlb.vpn.includes(0x40000)).toBe(false);
    expect(hart.counters()['tlb.flushes']).toBe(1);
    expect(hart.counters()['monitor.tlb_flushes']).toBe(1);
  });

  it('reads and writes physical memory without trapping; outside RAM is a typed error naming the address', () => {
    const { hart } = setup();
    hart.port.phys.write(RAM + 0x100, 0xdeadbeef);
    expect(hart.port.phys.read(RAM + 0x100) >>> 0).toBe(0xdeadbeef);
    expect(hart.port.phys.read(RAM + 0x101, 2)).toBe(0xadbe);
    expect(() => hart.port.phys.read(0x1000_0000)).toThrow(/read of 4 byte\(s\) at guest-physical 0x10000000 is outside the window/);
    expect(hart.trapCount).toBe(0);
    expect(hart.counters()['monitor.mem_reads']).toBe(3);
    expect(hart.counters()['monitor.mem_writes']).toBe(1);
  });
});

describe('claimed MMIO from the guest', () => {
  const program = `
    li t0, m_trap
    csrw mtvec, t0
    li s0, 0x30000000
    li t1, 0x1234
    sh t1, 2(s0)
    lb s1, 3(s0)
    lw s2, 4(s0)
    amoadd.w s3, t1, (s0)
    csrr s4, mcause
    li s5, 0x30001000
    lw s6, 0(s5)
    csrr s7, mcause
    li t6, 0x100000
    li t5, 0x5555
    sw t5, 0(t6)
  m_trap:
    csrr t2, mepc
    addi t2, t2, 4
    csrw mepc, t2
    mret
  `;

  it('routes loads and stores to the handler (offset, width, value), sign-extends lb, and faults AMOs and straddling accesses', () => {
    const m = machine(program);
    const log: string[] = [];
    m.hart.port.claimMmio(0x3000_0000, 0x1002, {
      read: (o, w) => {
        log.push(`r${o}/${w}`);
        return o === 3 ? 0x80 : 0xfeed_f00d;
      },
      write: (o, w, v) => void log.push(`w${o}/${w}=${v.toString(16)}`),
    });
    expect(m.run(10_000).stop.kind).toBe('halted');
    expect(log).toEqual(['w2/2=1234', 'r3/1', 'r4/4']);
    expect(m.reg('s1')).toBe(-128); // lb sign-extends the handler's 0x80 (unpriv 2.6)
    expect(m.reg('s2') >>> 0).toBe(0xfeedf00d);
    expect(m.reg('s4')).toBe(CAUSE.storeAccess); // AMO to an I/O range without AMO support
    expect(m.reg('s7')).toBe(CAUSE.loadAccess); // an aligned word at 0x1000 straddles the claim's end (0x1002)
    const c = m.hart.counters();
    expect(c['monitor.mmio_accesses']).toBe(3);
  });
});
