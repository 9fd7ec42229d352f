// The README's figures: every compute workload and osbench, on `native` (firmware + kernel on the
// board) and under vmm-full/trap-emulate.
// Run: pnpm --filter @virtlab/vmm-full figures [cost preset (default)] [size (test)]
import { workloads } from '@virtlab/guest';
import { DEFAULT_RAM_SIZE, createVirtBoard, runMachine } from '@virtlab/hw-model';
import { GUEST_KERNEL, directShare, initBootargs, kernelBoard, readKernelImages, resolveCostModel, runOnBoard } from '@virtlab/lab-kit';
import type { LabRun } from '@virtlab/lab-kit';
import { imageFor } from '@virtlab/strategy';
import { Hypervisor } from '../src/hypervisor.js';
import { trapEmulateStrategy } from '../src/strategy.js';
import { withVmmEvents } from '../src/vmm-events.js';

const cost = resolveCostModel(process.argv[2] ?? 'default');
const size = process.argv[3] === 'bench' ? 'bench' : 'test';
const vmm = trapEmulateStrategy({ costModel: cost });

async function native(bootargs: string): Promise<LabRun> {
  const { board, state } = await kernelBoard(GUEST_KERNEL, { bootargs, cost });
  return runOnBoard(board, state);
}

const n = (v: number | undefined) => (v ?? 0).toLocaleString('en-US');
console.log('| workload | native lab cycles | trap-emulate lab cycles | ratio | VM exits | hidden faults | reflected faults | run directly |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const w of workloads) {
  const image = imageFor(w, 'rv32-process', size);
  if (image === undefined) continue;
  const a = await native(initBootargs(w.name, image.args ?? [size]));
  const b = await vmm.run(w, { size });
  const c = b.counters;
  const direct = directShare(c)!;
  console.log(`| ${w.name} | ${n(a.labCycles)} | ${n(b.labCycles)} | ${((b.labCycles ?? 0) / a.labCycles).toFixed(2)} | ${n(c['vmm.exits'])} | ${n(c['vmm.fault.hidden'])} | ${n(c['vmm.fault.reflected'])} | ${(100 * direct).toFixed(3)} % |`);
}

// The OS table: osbench's items in lab ticks per operation (its own @metric lines).
const metrics = (out: string) => new Map([...out.matchAll(/^@metric osbench\.(\S+) ([\d.]+)/gm)].map((m) => [m[1]!, Number(m[2])]));
const bootargs = `init=/bin/osbench,${size}`;
const nat = metrics((await native(bootargs)).output);
const { kernel, initrd } = await readKernelImages(GUEST_KERNEL);
const host = createVirtBoard({ ramSize: DEFAULT_RAM_SIZE + (4 << 20), cost: withVmmEvents(cost) });
const hv = new Hypervisor(host, { vm: { kernel, initrd, bootargs, ramSize: DEFAULT_RAM_SIZE } });
runMachine(host, hv.engine, { maxInstructions: 4_000_000_000 });
const vm = metrics(host.uart.outputText());
console.log('\n| osbench item | native ticks/op | trap-emulate ticks/op | ratio |');
console.log('|---|---:|---:|---:|');
for (const [item, v] of nat) console.log(`| ${item} | ${v.toFixed(2)} | ${(vm.get(item) ?? NaN).toFixed(2)} | ${((vm.get(item) ?? NaN) / v).toFixed(2)} |`);
