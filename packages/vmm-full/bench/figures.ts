// The README's figures: every compute workload and every osbench item, on `native` (firmware +
// kernel on the board) and under vmm-full/trap-emulate and vmm-full/binary-translation.
// Run: pnpm --filter @virtlab/vmm-full figures [cost preset (default)] [size (test)] [profile (rv32ima)]
import { osWorkloads, workloads } from '@virtlab/guest';
import type { Workload } from '@virtlab/strategy';
import { GUEST_KERNEL, directShare, initBootargs, kernelBoard, parseProfile, readPrivateDisk, resolveCostModel, runOnBoard } from '@virtlab/lab-kit';
import type { LabRun } from '@virtlab/lab-kit';
import { imageFor } from '@virtlab/strategy';
import { binaryTranslationStrategy, trapEmulateStrategy } from '../src/strategy.js';

const cost = resolveCostModel(process.argv[2] ?? 'default');
const size = process.argv[3] === 'bench' ? 'bench' : 'test';
const profile = parseProfile(process.argv[4] ?? 'rv32ima');
const te = trapEmulateStrategy({ costModel: cost, profile });
const bt = binaryTranslationStrategy({ costModel: cost, profile });

async function native(w: Workload): Promise<LabRun> {
  const image = imageFor(w, 'rv32-process', size)!;
  const disk = await readPrivateDisk(w.disk);
  const { board, state } = await kernelBoard(GUEST_KERNEL, { bootargs: initBootargs(w.name, image.args ?? [size]), cost, ...(disk === undefined ? {} : { disk }) });
  return runOnBoard(board, state, { profile });
}

const n = (v: number | undefined) => (v ?? 0).toLocaleString('en-US');
const pct = (v: number | undefined) => (v === undefined ? '–' : `${(100 * v).toFixed(3)} %`);
/** Share of virtual-S instructions that ran as themselves (binary translation: the rest were callouts). */
const sDirect = (c: Record<string, number>) => c['vmm.direct.s']! / (c['vmm.direct.s']! + c['vmm.emulated_instructions']!);

console.log(`cost model ${process.argv[2] ?? 'default'}, size ${size}, profile ${profile}\n`);
console.log('| workload | native lab cycles | trap-emulate | ratio | exits | run directly | binary translation | ratio | exits | callouts | run directly | virtual S as itself |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const w of workloads) {
  if (imageFor(w, 'rv32-process', size) === undefined) continue;
  const a = await native(w);
  const b = await te.run(w, { size });
  const c = await bt.run(w, { size });
  const r = (x: number | undefined) => ((x ?? NaN) / a.labCycles).toFixed(2);
  console.log(
    `| ${w.name} | ${n(a.labCycles)} | ${n(b.labCycles)} | ${r(b.labCycles)} | ${n(b.counters['vmm.exits'])} | ${pct(directShare(b.counters))} ` +
      `| ${n(c.labCycles)} | ${r(c.labCycles)} | ${n(c.counters['vmm.exits'])} | ${n(c.counters['vmm.callouts'])} | ${pct(directShare(c.counters))} | ${pct(sDirect(c.counters))} |`,
  );
}

// The OS table: osbench's items in lab ticks per operation (its own @metric lines).
const metrics = (out: string) => new Map([...out.matchAll(/^@metric osbench\.(\S+) ([\d.]+)/gm)].map((m) => [m[1]!, Number(m[2])]));
const os = osWorkloads[0]!;
const nat = metrics((await native(os)).output);
const teRun = await te.run(os, { size });
const btRun = await bt.run(os, { size });
const t = metrics(teRun.output);
const b = metrics(btRun.output);
console.log('\n| osbench item | native ticks/op | trap-emulate ticks/op | ratio | binary translation ticks/op | ratio | BT / TE |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const [item, v] of nat) {
  const x = t.get(item) ?? NaN;
  const y = b.get(item) ?? NaN;
  console.log(`| ${item} | ${v.toFixed(2)} | ${x.toFixed(2)} | ${(x / v).toFixed(2)} | ${y.toFixed(2)} | ${(y / v).toFixed(2)} | ${(y / x).toFixed(2)} |`);
}
console.log(`\nosbench: trap-emulate ${n(teRun.counters['vmm.exits'])} exits; binary translation ${n(btRun.counters['vmm.exits'])} exits, ${n(btRun.counters['vmm.callouts'])} callouts, ${n(btRun.counters['event.vmm.bt.translate'])} instructions translated, virtual S as itself ${pct(sDirect(btRun.counters))}`);
