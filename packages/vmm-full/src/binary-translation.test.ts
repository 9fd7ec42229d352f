// Binary translation against trap-and-emulate, on the two ISA profiles. Popek and Goldberg's
// theorem running: on `legacy`, sstatus is sensitive but not privileged (the checker lists its
// forms), so trap-and-emulate never sees the guest's accesses and computes the wrong thing;
// translating virtual-S code with callouts for every sensitive form is right on both profiles.
import { readFile } from 'node:fs/promises';
import { assemble, checkPopekGoldberg, encode } from '@virtlab/cpu-core';
import { ESCAPE_LINES, HOSTILE_RAM_SIZE, SSTATUS_LINES, hostileImage, osWorkloads, workloadByName } from '@virtlab/guest';
import { createVirtBoard, runMachine } from '@virtlab/hw-model';
import { directShare, resolveCostModel } from '@virtlab/lab-kit';
import { outputsEquivalent } from '@virtlab/strategy';
import { describe, expect, it } from 'vitest';
import { Hypervisor, HypervisorError } from './hypervisor.js';
import type { VmSpec } from './hypervisor.js';
import { binaryTranslationStrategy, trapEmulateStrategy } from './strategy.js';
import { tinyElf } from './test-support.js';
import { withVmmEvents } from './vmm-events.js';

const POOL_PAGES = 64;

function runVm(vm: VmSpec, profile: 'rv32ima' | 'legacy', binaryTranslation: boolean, maxInstructions = 20_000_000) {
  const board = createVirtBoard({ ramSize: vm.ramSize! + POOL_PAGES * 4096, cost: withVmmEvents(resolveCostModel('default')) });
  const hv = new Hypervisor(board, { vm, profile, binaryTranslation, shadowPoolPages: POOL_PAGES });
  const result = runMachine(board, hv.engine, { maxInstructions });
  return { board, hv, result };
}

describe('the sstatus probe: sensitive but unprivileged on legacy', () => {
  const probe = async (): Promise<VmSpec> => ({ kernel: new Uint8Array(await readFile(hostileImage('sstatus'))), ramSize: HOSTILE_RAM_SIZE });
  const expected = `${SSTATUS_LINES.join('\n')}\n`; // what QEMU prints (packages/guest/src/hostile.test.ts)

  it('the checker names the forms: sstatus accesses are sensitive and do not trap on legacy, and trap on rv32ima', () => {
    const legacy = checkPopekGoldberg('legacy');
    const holes = legacy.sensitiveNotPrivileged.filter((t) => t.includes('sstatus'));
    expect(holes).toContain('csrrs a0, sstatus, a2'); // csrr (SPP read back) and csrs (SIE set) are this form
    expect(legacy.sensitiveNotPrivileged.every((t) => t.includes('sstatus'))).toBe(true);
    expect(checkPopekGoldberg('rv32ima').sensitiveNotPrivileged).toEqual([]);
  });

  it('trap-and-emulate is right on rv32ima and wrong on legacy: the sstatus read sees the real SPP, the SIE write is dropped', async () => {
    const rv = runVm(await probe(), 'rv32ima', false);
    expect(rv.board.uart.outputText()).toBe(expected);
    const legacy = runVm(await probe(), 'legacy', false);
    expect(legacy.result.exit.kind).toBe('poweroff');
    expect(legacy.board.uart.outputText()).toBe(['hostile guest up', 'ebreak in S: scause=0x00000003 SPP=0x00000000', 'timer in S: not taken', ''].join('\n'));
  });

  it('binary translation is right on both profiles, with callouts instead of CSR exits', async () => {
    for (const profile of ['rv32ima', 'legacy'] as const) {
      const { board, hv } = runVm(await probe(), profile, true);
      expect(board.uart.outputText(), profile).toBe(expected);
      expect(hv.exits.exits.csr).toBe(0);
      expect(hv.exits.callouts.csr).toBeGreaterThan(0);
    }
  });

  it('contains the escape guest as trap-and-emulate does: its callouts for M-mode CSRs and mret reflect illegal instructions', async () => {
    const vm = { kernel: new Uint8Array(await readFile(hostileImage('escape'))), ramSize: HOSTILE_RAM_SIZE };
    const { board, hv, result } = runVm(vm, 'legacy', true, 1_000_000);
    expect(board.uart.outputText()).toBe(`${ESCAPE_LINES.join('\n')}\n`);
    expect(result.exit.kind).toBe('fault-loop'); // then its vector cannot be fetched
    expect(hv.guests[0]!.exits.faultLoop?.cause).toBe(12);
    expect(hv.exits.callouts.reflected_exception).toBe(5); // pmpaddr0, pmpcfg0, mstatus, mtvec, mret
    expect(hv.strayTraps).toBe(0);
  });

  it('refuses binary translation on the interpreter', async () => {
    const board = createVirtBoard({ ramSize: HOSTILE_RAM_SIZE + POOL_PAGES * 4096 });
    const vm = await probe();
    expect(() => new Hypervisor(board, { vm, engine: 'interp', binaryTranslation: true, shadowPoolPages: POOL_PAGES })).toThrow(HypervisorError);
  });
});

describe('translated kernel code and the guest\'s own bytes', () => {
  const ENTRY = 0x8040_0000;
  // f returns 1; called 600 times (hot: its translation is in a region by then), then its first
  // word is rewritten to return 2 and it is called again; finally the word is read back. The
  // exit status is (sum of f's results so far) + 1000 × (the word read back is the written one).
  const LI_A0_2 = encode('addi a0, zero, 2');
  const GUEST = `
    li s0, 0
    li s1, 600
  loop:
    jal ra, f
    add s0, s0, a0
    addi s1, s1, -1
    bne s1, zero, loop
    li t0, f
    li t1, ${LI_A0_2}
    sw t1, 0(t0)
    fence.i
    jal ra, f
    add s0, s0, a0
    lw t2, 0(t0)
    bne t2, t1, done
    li t3, 1000
    add s0, s0, t3
  done:
    li a7, 0x53525354
    li a6, 0
    li a0, 0
    li a1, 0xe0000000
    or a1, a1, s0
    ecall
  f:
    addi a0, zero, 1
    jalr zero, 0(ra)
  `;

  it('a guest that rewrites kernel code it has run gets the new code, and reads back its own bytes', () => {
    for (const bt of [false, true]) {
      const { result, hv } = runVm({ kernel: tinyElf(assemble(GUEST, ENTRY).words, ENTRY), ramSize: 8 << 20 }, 'rv32ima', bt);
      expect(result.exit, bt ? 'binary translation' : 'trap-and-emulate').toEqual({ kind: 'poweroff', exitCode: 600 + 2 + 1000, via: 'finisher' });
      if (bt) expect(hv.engine.engineCounters()['dbt.invalidations']).toBeGreaterThan(0);
    }
  });
});

describe('vmm-full/binary-translation on the kernel', () => {
  it('gives native\'s output on legacy as on rv32ima, with the same lab cycles: the profile\'s holes are never reached', async () => {
    const sieve = workloadByName('sieve');
    const rv = await binaryTranslationStrategy({ profile: 'rv32ima' }).run(sieve, { size: 'test' });
    const legacy = await binaryTranslationStrategy({ profile: 'legacy' }).run(sieve, { size: 'test' });
    expect(outputsEquivalent(sieve.reference.test!, legacy.output)).toBe(true);
    expect(legacy.labCycles).toBe(rv.labCycles);
    expect(legacy.counters).toEqual(rv.counters);
  });

  it('trades exits for callouts on osbench: fewer VM exits and lab cycles than trap-and-emulate, most virtual-S instructions run as themselves', async () => {
    const os = osWorkloads[0]!;
    const te = await trapEmulateStrategy().run(os, { size: 'test' });
    const bt = await binaryTranslationStrategy().run(os, { size: 'test' });
    expect(outputsEquivalent(os.reference.test!, bt.output)).toBe(true);
    expect(bt.counters['vmm.exits']!).toBeLessThan(te.counters['vmm.exits']! / 5);
    expect(bt.counters['vmm.callouts']!).toBeGreaterThan(0);
    expect(bt.labCycles!).toBeLessThan(te.labCycles!);
    expect(bt.counters['event.vmm.bt.translate']!).toBeGreaterThan(0);
    // Efficiency over virtual S: its instructions run as themselves against those emulated.
    const s = bt.counters['vmm.direct.s']!;
    expect(s / (s + bt.counters['vmm.emulated_instructions']!)).toBeGreaterThan(0.95);
    expect(directShare(bt.counters)!).toBeGreaterThan(0.98);
  }, 60_000);
});
