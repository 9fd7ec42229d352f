// The kernel's own test programs under vmm-para, against native on the lab board (the peer, run
// here in the same test): the para kernel answers every bad system call, fault and fuzzed argument
// as the native kernel does, and gives back every page it takes.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { osWorkloads } from '@virtlab/guest';
import { DEFAULT_RAM_SIZE, createVirtBoard } from '@virtlab/hw-model';
import { GUEST_KERNEL, kernelBoard, resolveCostModel, runInChunks, runOnBoard } from '@virtlab/lab-kit';
import { ParaHypervisor } from './hypervisor.js';
import { withParaEvents } from './para-events.js';
import { PARA_KERNEL } from './strategy.js';

const missing = [GUEST_KERNEL.firmware, GUEST_KERNEL.kernel, PARA_KERNEL.kernel, PARA_KERNEL.initrd].filter((p) => !existsSync(p));
if (missing.length > 0) console.warn(`skipping the kernel programs under vmm-para: missing ${missing.join(', ')} (run pnpm guests)`);
const diskPath = osWorkloads[0]!.disk!;
const BUDGET = 400_000_000;

async function native(bootargs: string) {
  const { board, state } = await kernelBoard(GUEST_KERNEL, { bootargs, disk: new Uint8Array(readFileSync(diskPath)), cost: resolveCostModel('default') });
  return runOnBoard(board, state, { maxInstructions: BUDGET });
}

async function para(bootargs: string) {
  const board = createVirtBoard({ ramSize: DEFAULT_RAM_SIZE + 512 * 4096, cost: withParaEvents(resolveCostModel('default')) });
  const hv = new ParaHypervisor(board, {
    domains: [{ kernel: readFileSync(PARA_KERNEL.kernel), initrd: readFileSync(PARA_KERNEL.initrd), bootargs, ramSize: DEFAULT_RAM_SIZE, disk: new Uint8Array(readFileSync(diskPath)) }],
  });
  const run = await runInChunks(board, hv.engine, { maxInstructions: BUDGET });
  return { ...run, hv };
}

describe.skipIf(missing.length > 0)('the kernel\'s test programs under vmm-para', () => {
  for (const init of ['init=/bin/errtest', 'init=/bin/fuzz,5000', 'init=/bin/fscheck']) {
    it(`${init}: native's transcript and exit status`, { timeout: 180_000 }, async () => {
      const [n, p] = [await native(init), await para(init)];
      expect(n.stop).toBe('exit');
      expect(p.stop).toBe('exit');
      expect(p.exitCode).toBe(n.exitCode);
      expect(p.output).toBe(n.output);
      expect(p.hv.paging.counters.refused).toBe(0); // the kernel's own updates are all valid
    });
  }

  it('memhog: killed for want of pages after the same number of pages in both rounds; nothing leaks through the page tables', { timeout: 180_000 }, async () => {
    const [n, p] = [await native('init=/bin/memhog'), await para('init=/bin/memhog')];
    // The para kernel's image is larger (its table of live page tables alone is 64 KiB), so its
    // processes run out of memory a few pages earlier: the addresses differ, nothing else.
    const mask = (s: string) => s.replace(/out of memory at 0x[0-9a-f]+/g, 'out of memory at ADDR');
    expect(mask(p.output)).toBe(mask(n.output));
    expect(p.output).toMatch(/memhog: the same pages in both rounds \(more than 16 MiB: yes\)/);
    const at = [...p.output.matchAll(/out of memory at (0x[0-9a-f]+)/g)].map((m) => m[1]);
    expect(at.length).toBe(2);
    expect(at[0]).toBe(at[1]);
    expect(p.hv.paging.counters.tablesTyped - p.hv.paging.counters.tablesReleased).toBeLessThan(8); // the kernel root and init's tables
  });
});
