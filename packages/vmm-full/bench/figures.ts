// The README's figures: every compute workload (test size) and osbench, on `native` (firmware +
// kernel on the board) and under vmm-full/trap-emulate, default cost model.
// Run: pnpm --filter @virtlab/vmm-full figures
import { workloads } from '@virtlab/guest';
import { GUEST_KERNEL, initBootargs, kernelBoard, resolveCostModel, runOnBoard } from '@virtlab/lab-kit';
import type { LabRun } from '@virtlab/lab-kit';
import { imageFor } from '@virtlab/strategy';
import { trapEmulateStrategy } from '../src/strategy.js';

const cost = resolveCostModel(process.argv[2] ?? 'default');
const vmm = trapEmulateStrategy({ costModel: cost });

async function native(bootargs: string): Promise<LabRun> {
  const { board, state } = await kernelBoard(GUEST_KERNEL, { bootargs, cost });
  return runOnBoard(board, state);
}

const n = (v: number | undefined) => (v ?? 0).toLocaleString('en-US');
console.log('| workload | native lab cycles | trap-emulate lab cycles | ratio | VM exits | hidden faults | reflected faults | run directly |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const w of workloads) {
  const image = imageFor(w, 'rv32-process', 'test');
  if (image === undefined) continue;
  const a = await native(initBootargs(w.name, image.args ?? ['test']));
  const b = await vmm.run(w, { size: 'test' });
  const c = b.counters;
  const direct = c.instret! / (c.instret! + c['vmm.emulated_instructions']!);
  console.log(`| ${w.name} | ${n(a.labCycles)} | ${n(b.labCycles)} | ${((b.labCycles ?? 0) / a.labCycles).toFixed(2)} | ${n(c['vmm.exits'])} | ${n(c['vmm.fault.hidden'])} | ${n(c['vmm.fault.reflected'])} | ${(100 * direct).toFixed(3)} % |`);
}
