// The hypervisor against small hostile or probing domains, assembled here, beside the para kernel:
// every forged update is refused with an SBI error and leaves memory as it was, batching costs one
// hypercall for N updates, page tables are read-only to the guest, and a hostile domain does not
// disturb the para kernel running a workload in another domain.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble } from '@virtlab/cpu-core';
import { guestImage, workloadByName } from '@virtlab/guest';
import { createVirtBoard } from '@virtlab/hw-model';
import { initBootargs, resolveCostModel, runInChunks } from '@virtlab/lab-kit';
import { BLK, ERR, HC, PARA_EID, PTE } from './abi.js';
import { ParaHypervisor } from './hypervisor.js';
import type { DomainConfig } from './hypervisor.js';
import { withParaEvents } from './para-events.js';

const MiB = 1 << 20;
const RAM = 0x8000_0000;
const POOL_PAGES = 64;
const hasKernel = (() => {
  try {
    readFileSync(guestImage('kernel/kernel-para.elf'));
    return true;
  } catch {
    return false;
  }
})();

/** A guest program: each `call` is one hypercall whose a0 and a1 are stored at results + 8 * k. */
interface Call {
  readonly fid: number;
  readonly args: readonly number[];
}

function probe(base: number, results: number, calls: readonly Call[], tail = ''): Int32Array {
  const lines = [`li s1, ${results}`, `li a7, ${PARA_EID}`];
  calls.forEach((c, k) => {
    lines.push(`li a6, ${c.fid}`);
    c.args.forEach((v, i) => lines.push(`li a${i}, ${v | 0}`));
    lines.push('ecall', `sw a0, ${8 * k}(s1)`, `sw a1, ${8 * k + 4}(s1)`);
  });
  lines.push(tail, `li a6, ${HC.sched_op}`, 'li a0, 2', 'li a1, 0', 'ecall', 'spin:', 'j spin');
  return assemble(lines.join('\n'), base).words;
}

function machine(domains: DomainConfig[]) {
  const total = domains.reduce((n, d) => n + d.ramSize, 0);
  const board = createVirtBoard({ ramSize: total + POOL_PAGES * 4096, cost: withParaEvents(resolveCostModel('default')) });
  const hv = new ParaHypervisor(board, { domains, poolPages: POOL_PAGES });
  const mem = hv.hart.port.phys;
  return { board, hv, mem, poolBase: RAM + total };
}

const leaf = (pa: number, flags: number) => (((pa >>> 12) << 10) | flags | PTE.V | PTE.A | PTE.D) >>> 0;
const word = (mem: { read(a: number): number }, a: number) => mem.read(a) | 0;

describe('direct paging: forged updates are refused', () => {
  // Domain 0 is the probe (4 MiB at 0x8000_0000); domain 1 is an idle neighbour whose frames it tries to reach.
  const P = RAM;
  const L1 = P + 0x10000; // a table the probe pins
  const BAD = P + 0x11000; // a page holding a forged entry, then offered as a table
  const REQ = P + 0x12000; // mmu_update request lists
  const RES = P + 0x13000; // results
  const OWN = P + 0x20000; // ordinary pages of the probe
  const NEIGHBOUR = RAM + 4 * MiB;

  it('refuses another domain\'s frame, a writable mapping of a table, hypervisor memory, a bad table to pin; nothing is written', async () => {
    const idle = assemble(`li a7, ${PARA_EID}\nli a6, ${HC.sched_op}\nli a0, 2\nli a1, 0\necall\nspin:\nj spin`, NEIGHBOUR).words;
    const requests = (k: number) => REQ + 8 * k;
    const calls: Call[] = [
      { fid: HC.pin_table, args: [L1 >>> 12, 1] }, // 0: an empty table: accepted
      { fid: HC.mmu_update, args: [requests(0), 1] }, // 1: the neighbour's frame
      { fid: HC.mmu_update, args: [requests(1), 1] }, // 2: its own table, writable
      { fid: HC.mmu_update, args: [requests(2), 1] }, // 3: the hypervisor's pool
      { fid: HC.mmu_update, args: [requests(3), 1] }, // 4: a global mapping
      { fid: HC.pin_table, args: [BAD >>> 12, 1] }, // 5: a table that maps the neighbour
      { fid: HC.mmu_update, args: [requests(4), 1] }, // 6: a good one: accepted
      { fid: HC.pin_table, args: [L1 >>> 12, 1] }, // 7: pinned twice
      { fid: HC.mmu_update, args: [requests(5), 1] }, // 8: a PTE address outside any table
      { fid: HC.mmu_update, args: [NEIGHBOUR, 1] }, // 9: a request list in the neighbour's RAM
    ];
    const m = machine([
      { code: probe(P, RES, calls), ramSize: 4 * MiB },
      { code: idle, ramSize: 4 * MiB },
    ]);
    const w = (a: number, v: number) => m.mem.write(a, v);
    w(requests(0), L1);
    w(requests(0) + 4, leaf(NEIGHBOUR + 0x1000, PTE.R | PTE.W | PTE.U));
    w(requests(1), L1 + 4);
    w(requests(1) + 4, leaf(L1, PTE.R | PTE.W | PTE.U));
    w(requests(2), L1 + 8);
    w(requests(2) + 4, leaf(m.poolBase, PTE.R | PTE.U));
    w(requests(3), L1 + 12);
    w(requests(3) + 4, leaf(OWN, PTE.R | PTE.U | PTE.G));
    w(requests(4), L1 + 16);
    w(requests(4) + 4, leaf(OWN, PTE.R | PTE.W | PTE.U));
    w(requests(5), OWN + 0x1000);
    w(requests(5) + 4, leaf(OWN, PTE.R | PTE.U));
    w(BAD + 8, leaf(NEIGHBOUR, PTE.R | PTE.U));
    const run = await runInChunks(m.board, m.hv.engine, { maxInstructions: 1_000_000 });
    expect(run.stop).toBe('exit');
    const result = (k: number) => [word(m.mem, RES + 8 * k), word(m.mem, RES + 8 * k + 4)];
    expect(result(0)).toEqual([ERR.success, 0]);
    expect(result(1)).toEqual([ERR.denied, 0]); // mmu_update's value: entries done before the refusal
    expect(result(2)).toEqual([ERR.denied, 0]);
    expect(result(3)).toEqual([ERR.denied, 0]);
    expect(result(4)).toEqual([ERR.denied, 0]);
    expect(result(5)[0]).toBe(ERR.denied);
    expect(result(6)).toEqual([ERR.success, 1]);
    expect(result(7)[0]).toBe(ERR.invalid_param);
    expect(result(8)[0]).toBe(ERR.invalid_param);
    expect(result(9)[0]).toBe(ERR.invalid_address);
    // Nothing of the refused updates reached the table; the accepted one did.
    expect([0, 4, 8, 12].map((o) => word(m.mem, L1 + o))).toEqual([0, 0, 0, 0]);
    expect(word(m.mem, L1 + 16) >>> 0).toBe(leaf(OWN, PTE.R | PTE.W | PTE.U));
    // The refused table stayed ordinary memory; the accepted one is typed and counted.
    const p = m.hv.paging;
    expect(p.type[p.index(BAD)]).toBe(0);
    expect(p.type[p.index(L1)]).toBe(1);
    expect(p.writable[p.index(OWN)]).toBe(1);
    expect(p.writable[p.index(NEIGHBOUR + 0x1000)]).toBe(0);
    expect(p.counters.refused).toBe(7); // 1-5, 7, 8; the request list in the neighbour (9) is refused before paging looks
    // The neighbour ran to its own shutdown.
    expect(m.hv.domains[1]!.exitCode).toBe(0);
  });

  it('N updates in one mmu_update are one hypercall; each is validated and priced as one PTE update', async () => {
    const N = 16;
    const calls: Call[] = [
      { fid: HC.pin_table, args: [L1 >>> 12, 1] },
      { fid: HC.mmu_update, args: [REQ, N] },
    ];
    const m = machine([{ code: probe(P, RES, calls), ramSize: 4 * MiB }]);
    for (let i = 0; i < N; i++) {
      m.mem.write(REQ + 8 * i, L1 + 4 * i);
      m.mem.write(REQ + 8 * i + 4, leaf(OWN + i * 4096, PTE.R | PTE.W | PTE.U));
    }
    const run = await runInChunks(m.board, m.hv.engine, { maxInstructions: 1_000_000 });
    expect(run.stop).toBe('exit');
    expect([word(m.mem, RES + 8), word(m.mem, RES + 12)]).toEqual([ERR.success, N]);
    const c = m.hv.counters();
    expect(c['para.hc.mmu_update']).toBe(1);
    expect(c['para.paging.pteUpdates']).toBe(N);
    expect(run.counters['event.para.hc.mmu_update']).toBe(1);
    expect(run.counters['event.para.pte_update']).toBe(N);
    for (let i = 0; i < N; i++) expect(word(m.mem, L1 + 4 * i) >>> 0).toBe(leaf(OWN + i * 4096, PTE.R | PTE.W | PTE.U));
    // The hart walks the guest's table: a root over L1 installed as the base maps OWN at 0.
  });

  it('stops at the first refused entry of a batch and says how many went in', async () => {
    const calls: Call[] = [
      { fid: HC.pin_table, args: [L1 >>> 12, 1] },
      { fid: HC.mmu_update, args: [REQ, 3] },
    ];
    const m = machine([
      { code: probe(P, RES, calls), ramSize: 4 * MiB },
      { code: assemble(`li a7, ${PARA_EID}\nli a6, ${HC.sched_op}\nli a0, 2\nli a1, 0\necall`, NEIGHBOUR).words, ramSize: 4 * MiB },
    ]);
    const good = leaf(OWN, PTE.R | PTE.U);
    [
      [L1, good],
      [L1 + 4, leaf(NEIGHBOUR, PTE.R | PTE.U)],
      [L1 + 8, good],
    ].forEach(([a, v], i) => {
      m.mem.write(REQ + 8 * i, a!);
      m.mem.write(REQ + 8 * i + 4, v!);
    });
    await runInChunks(m.board, m.hv.engine, { maxInstructions: 1_000_000 });
    expect([word(m.mem, RES + 8), word(m.mem, RES + 12)]).toEqual([ERR.denied, 1]);
    expect([word(m.mem, L1) >>> 0, word(m.mem, L1 + 4), word(m.mem, L1 + 8)]).toEqual([good, 0, 0]);
  });

  it('a pinned table is read-only to the guest: a store to it is a kernel fault, the entry unchanged', async () => {
    const code = probe(P, RES, [{ fid: HC.pin_table, args: [L1 >>> 12, 1] }], `li t0, ${L1}\nli t1, ${leaf(NEIGHBOUR, PTE.R | PTE.W | PTE.U)}\nsw t1, 0(t0)`);
    const out: number[] = [];
    const m = machine([
      { code, ramSize: 4 * MiB, onConsoleOutput: (b) => out.push(b) },
      { code: assemble(`li a7, ${PARA_EID}\nli a6, ${HC.sched_op}\nli a0, 2\nli a1, 0\necall`, NEIGHBOUR).words, ramSize: 4 * MiB },
    ]);
    const run = await runInChunks(m.board, m.hv.engine, { maxInstructions: 1_000_000 });
    expect(run.exitCode).toBe(255); // no fault callback registered: the domain is crashed
    expect(Buffer.from(out).toString()).toMatch(/domain 0 crashed: kernel fault \(cause 0xf, pc 0x[0-9a-f]+, tval 0x80010000\)/);
    expect(word(m.mem, L1)).toBe(0);
  });
});

describe('pin, unpin, base switch, multicall', () => {
  const P = RAM;
  const ROOT = P + 0x10000;
  const ROOT2 = P + 0x11000;
  const L1 = P + 0x12000;
  const REQ = P + 0x13000;
  const RES = P + 0x14000;
  const MC = P + 0x15000;
  const OWN = P + 0x20000;

  it('a root stays typed while it is the base; switching away releases it and its tables become ordinary again', async () => {
    const calls: Call[] = [
      { fid: HC.pin_table, args: [ROOT >>> 12, 2] }, // 0: a root over L1 (validated with it)
      { fid: HC.new_baseptr, args: [ROOT >>> 12] }, // 1
      { fid: HC.unpin_table, args: [ROOT >>> 12] }, // 2: still the base: stays typed
      { fid: HC.mmu_update, args: [REQ, 1] }, // 3: L1 writable into L1 (through L1 itself): refused
      { fid: HC.pin_table, args: [ROOT2 >>> 12, 2] }, // 4: an empty root
      { fid: HC.new_baseptr, args: [ROOT2 >>> 12] }, // 5: ROOT and L1 released
      { fid: HC.new_baseptr, args: [ROOT >>> 12] }, // 6: no longer pinned: refused
      { fid: HC.pin_table, args: [L1 >>> 12, 2] }, // 7: a leaf table offered as a root: its leaf entries are refused
    ];
    const m = machine([{ code: probe(P, RES, calls), ramSize: 4 * MiB }]);
    m.mem.write(ROOT, ((L1 >>> 12) << 10) | PTE.V);
    m.mem.write(L1, leaf(OWN, PTE.R | PTE.W | PTE.U));
    m.mem.write(REQ, L1 + 4);
    m.mem.write(REQ + 4, leaf(L1, PTE.R | PTE.W | PTE.U));
    const p = m.hv.paging;
    const run = await runInChunks(m.board, m.hv.engine, { maxInstructions: 1_000_000 });
    expect(run.stop).toBe('exit');
    const results = calls.map((_, k) => word(m.mem, RES + 8 * k));
    expect(results).toEqual([ERR.success, ERR.success, ERR.success, ERR.denied, ERR.success, ERR.success, ERR.invalid_param, ERR.invalid_param]);
    expect([p.type[p.index(ROOT)], p.type[p.index(L1)], p.type[p.index(ROOT2)]]).toEqual([0, 0, 2]);
    expect(p.writable[p.index(OWN)]).toBe(0); // L1's mapping of OWN was dropped with L1's type
    expect(p.counters.tablesReleased).toBe(2);
  });

  it('a multicall runs its entries in order and writes each one\'s error and value back', async () => {
    const calls: Call[] = [{ fid: HC.multicall, args: [MC, 4] }];
    const m = machine([{ code: probe(P, RES, calls), ramSize: 4 * MiB }]);
    const entry = (k: number, fid: number, args: number[]) => [fid, ...args, 0, 0, 0, 0, 0].slice(0, 6).forEach((v, i) => m.mem.write(MC + 32 * k + 4 * i, v));
    entry(0, HC.pin_table, [L1 >>> 12, 1]);
    entry(1, HC.mmu_update, [REQ, 1]);
    entry(2, HC.iret, [RES]); // not inside a multicall
    entry(3, 99, []); // no such hypercall
    m.mem.write(REQ, L1);
    m.mem.write(REQ + 4, leaf(OWN, PTE.R | PTE.U));
    const run = await runInChunks(m.board, m.hv.engine, { maxInstructions: 1_000_000 });
    expect(run.stop).toBe('exit');
    expect([word(m.mem, RES), word(m.mem, RES + 4)]).toEqual([ERR.success, 4]);
    const back = [0, 1, 2, 3].map((k) => [word(m.mem, MC + 32 * k + 24), word(m.mem, MC + 32 * k + 28)]);
    expect(back).toEqual([
      [ERR.success, 0],
      [ERR.success, 1],
      [ERR.not_supported, 0],
      [ERR.not_supported, 0],
    ]);
    expect(word(m.mem, L1) >>> 0).toBe(leaf(OWN, PTE.R | PTE.U));
    expect(run.counters['event.para.multicall_entry']).toBe(4);
    expect(run.counters['event.para.entry']).toBe(2); // the multicall and the shutdown: one entry each
  });
});

describe('the hypervisor\'s pool', () => {
  it('a domain that pins root after root gets SBI_ERR_FAILED at its share; its neighbour still pins', async () => {
    const P = RAM;
    const RES = P + 0x13000;
    const ROOTS = P + 0x100000;
    const pinLoop = assemble(
      [
        `li s1, ${RES}`, `li a7, ${PARA_EID}`, `li s2, ${ROOTS >>> 12}`, 'li s3, 0',
        'loop:', `li a6, ${HC.pin_table}`, 'mv a0, s2', 'li a1, 2', 'ecall', 'bne a0, zero, done', 'addi s2, s2, 1', 'addi s3, s3, 1', 'j loop',
        'done:', 'sw a0, 0(s1)', 'sw s3, 4(s1)', `li a6, ${HC.sched_op}`, 'li a0, 2', 'li a1, 0', 'ecall',
      ].join('\n'),
      P,
    ).words;
    const N = RAM + 4 * MiB;
    const m = machine([
      { code: pinLoop, ramSize: 4 * MiB },
      { code: probe(N, N + 0x13000, [{ fid: HC.pin_table, args: [(N + 0x10000) >>> 12, 2] }]), ramSize: 4 * MiB },
    ]);
    const run = await runInChunks(m.board, m.hv.engine, { maxInstructions: 1_000_000 });
    expect(run.stop).toBe('exit');
    const share = Math.floor((POOL_PAGES - 2 * 2) / 2); // each domain's direct map (1 table) and boot view first
    expect([word(m.mem, RES), word(m.mem, RES + 4)]).toEqual([ERR.failed, share]);
    expect(word(m.mem, N + 0x13000)).toBe(ERR.success);
    expect(m.hv.paging.pool.freePages).toBeGreaterThanOrEqual(share - 1);
  });
});

describe('the block ring', () => {
  const P = RAM;
  const RING = P + 0x10000;
  const RES = P + 0x13000;
  const BUF = P + 0x20000;

  it('serves a batch in elevator order, answers by id, refuses a descriptor outside the domain, notifies once', async () => {
    const disk = new Uint8Array(64 * 512).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
    const calls: Call[] = [
      { fid: HC.set_callbacks, args: [0, 0, P + 0x14000] },
      { fid: HC.blk_connect, args: [RING, 0] },
      { fid: HC.evtchn_send, args: [1, 0] },
    ];
    const m = machine([
      { code: probe(P, RES, calls), ramSize: 4 * MiB, disk },
      { code: assemble(`li a7, ${PARA_EID}\nli a6, ${HC.sched_op}\nli a0, 2\nli a1, 0\necall`, RAM + 4 * MiB).words, ramSize: 4 * MiB },
    ]);
    // Three requests before one notification: sectors 16, 8 (out of elevator order), and a read into the neighbour.
    const rq = (k: number, id: number, sector: number, buf: number) => {
      const at = RING + BLK.req + k * BLK.reqSize;
      [id, BLK.opRead, sector, 0, 8, buf].forEach((v, i) => m.mem.write(at + 4 * i, v));
    };
    rq(0, 101, 16, BUF);
    rq(1, 102, 8, BUF + 4096);
    rq(2, 103, 24, RAM + 4 * MiB);
    m.mem.write(RING + BLK.reqProd, 3);
    const run = await runInChunks(m.board, m.hv.engine, { maxInstructions: 1_000_000 });
    expect(run.stop).toBe('exit');
    expect([word(m.mem, RES + 8), word(m.mem, RES + 12)]).toEqual([ERR.success, 64]); // capacity in sectors
    expect([word(m.mem, RES + 16), word(m.mem, RES + 20)]).toEqual([ERR.success, 3]);
    expect(word(m.mem, RING + BLK.rspProd)).toBe(3);
    const rsp = [0, 1, 2].map((k) => [word(m.mem, RING + BLK.rsp + 8 * k), word(m.mem, RING + BLK.rsp + 8 * k + 4)]);
    expect(rsp).toEqual([
      [102, ERR.success], // sector 8 first: C-SCAN from sector 0
      [101, ERR.success],
      [103, ERR.invalid_address],
    ]);
    expect(m.mem.readBytes(BUF, 4096)).toEqual(disk.subarray(16 * 512, 24 * 512));
    expect(m.mem.readBytes(BUF + 4096, 4096)).toEqual(disk.subarray(8 * 512, 16 * 512));
    expect(m.mem.readBytes(RAM + 4 * MiB + 0x1000, 16)).toEqual(new Uint8Array(16)); // the neighbour's RAM untouched
    expect(word(m.mem, P + 0x14000) & (1 << 1)).toBe(2); // one pending bit on the block port
    expect(run.counters['event.para.ring.notify']).toBe(1);
    expect(run.counters['event.para.ring.request']).toBe(3);
  });
});

describe.skipIf(!hasKernel)('several domains', () => {
  it('the para kernel runs sieve in domain 0 while a hostile domain 1 forges updates against it: its output is intact', async () => {
    const DOM1 = RAM + 128 * MiB;
    const L1 = DOM1 + 0x10000;
    const REQ = DOM1 + 0x12000;
    const RES = DOM1 + 0x13000;
    const RING = DOM1 + 0x15000;
    const BUF = DOM1 + 0x16000;
    const calls: Call[] = [
      { fid: HC.pin_table, args: [L1 >>> 12, 1] },
      { fid: HC.mmu_update, args: [REQ, 1] }, // domain 0's kernel text, writable
      { fid: HC.sched_op, args: [0, 0] }, // yield to domain 0
      { fid: HC.mmu_update, args: [REQ + 8, 1] }, // domain 0's first page, read-only
      { fid: HC.console_write, args: [RAM + 0x40_0000, 64] }, // domain 0's memory on its console
      { fid: HC.set_callbacks, args: [0, 0, DOM1 + 0x14000] }, // 5
      { fid: HC.blk_connect, args: [RING, 0] }, // 6
      { fid: HC.evtchn_send, args: [1, 0] }, // 7: a disk read into domain 0's kernel text, and one into its own page
    ];
    const out1: number[] = [];
    const sieve = workloadByName('sieve');
    const total = 128 * MiB + 4 * MiB;
    const board = createVirtBoard({ ramSize: total + 512 * 4096, cost: withParaEvents(resolveCostModel('default')) });
    const hv = new ParaHypervisor(board, {
      domains: [
        { kernel: readFileSync(guestImage('kernel/kernel-para.elf')), initrd: readFileSync(guestImage('kernel/initrd.cpio')), bootargs: initBootargs('sieve', ['test']), ramSize: 128 * MiB },
        { code: probe(DOM1, RES, calls), ramSize: 4 * MiB, onConsoleOutput: (b) => out1.push(b), disk: new Uint8Array(16 * 512).fill(0xa5) },
      ],
      poolPages: 512,
    });
    const mem = hv.hart.port.phys;
    mem.write(REQ, L1);
    mem.write(REQ + 4, leaf(RAM + 0x40_0000, PTE.R | PTE.W | PTE.X | PTE.U));
    mem.write(REQ + 8, L1 + 4);
    mem.write(REQ + 12, leaf(RAM, PTE.R | PTE.U));
    [[7, BLK.opRead, 0, 0, 8, RAM + 0x40_0000], [8, BLK.opRead, 8, 0, 8, BUF]].forEach((r, k) => r.forEach((v, i) => mem.write(RING + BLK.req + k * BLK.reqSize + 4 * i, v)));
    mem.write(RING + BLK.reqProd, 2);
    const text = mem.readBytes(RAM + 0x40_0000, 4096);
    const run = await runInChunks(board, hv.engine, { maxInstructions: 200_000_000 });
    expect(run.stop).toBe('exit');
    expect(run.exitCode).toBe(0);
    expect(run.output.split('\n').filter((l) => !l.startsWith('@metric')).join('\n')).toBe(sieve.reference.test!.split('\n').filter((l) => !l.startsWith('@metric')).join('\n'));
    expect([0, 1, 3, 4, 5, 6, 7].map((k) => word(mem, RES + 8 * k))).toEqual([ERR.success, ERR.denied, ERR.denied, ERR.invalid_address, ERR.success, ERR.success, ERR.success]);
    expect([0, 1].map((k) => [word(mem, RING + BLK.rsp + 8 * k), word(mem, RING + BLK.rsp + 8 * k + 4)])).toEqual([
      [7, ERR.invalid_address],
      [8, ERR.success],
    ]);
    expect(mem.readBytes(BUF, 4096)).toEqual(new Uint8Array(4096).fill(0xa5));
    expect(mem.readBytes(RAM + 0x40_0000, 4096)).toEqual(text); // domain 0's kernel text as it was
    expect(out1).toEqual([]);
    expect([word(mem, L1), word(mem, L1 + 4)]).toEqual([0, 0]);
    expect(hv.domains[1]!.exitCode).toBe(0);
    expect(hv.domainSwitches).toBeGreaterThan(0);
  }, 60_000);
});
