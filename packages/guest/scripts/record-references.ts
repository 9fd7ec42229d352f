// Records workloads/<name>/expected-<size>.txt — only when QEMU (rv32-bare), V8 (wasm32-wasi) and
// the host's cc (host-c) print the same bytes once `@metric ` lines are removed.
// Usage: node --conditions=@virtlab/source --import tsx scripts/record-references.ts [name...]
import { writeFile } from 'node:fs/promises';
import { WORKLOAD_SIZES, stripMetricLines } from '@virtlab/strategy';
import { workloadImageOutput, workloadSource } from '../src/build/workload-recipes.js';
import { guestImage, guestPackageDir, referencePath } from '../src/paths.js';
import { WORKLOAD_SPECS } from '../src/workload-specs.js';
import { runHostC, runQemu, runWasm } from '../src/test-support/peers.js';

const names = process.argv.slice(2);
let failed = false;
for (const { name } of WORKLOAD_SPECS.filter((spec) => names.length === 0 || names.includes(spec.name))) {
  for (const size of WORKLOAD_SIZES) {
    const [qemu, wasm, host] = await Promise.all([
      runQemu(guestImage(workloadImageOutput(name, 'rv32-bare', size)), { timeoutMs: 120_000 }),
      runWasm(guestImage(workloadImageOutput(name, 'wasm32-wasi', size))),
      runHostC(`${guestPackageDir}/${workloadSource(name)}`, [size]),
    ]);
    const outputs = [qemu, wasm, host].map((result) => stripMetricLines(result.output));
    const codes = [qemu, wasm, host].map((result) => result.exitCode);
    if (outputs.some((output) => output !== outputs[0]) || codes.some((code) => code !== 0)) {
      failed = true;
      console.error(`${name} ${size}: peers disagree (exit codes ${codes.join(', ')})`);
      for (const [peer, output] of [['qemu', outputs[0]], ['wasm', outputs[1]], ['host', outputs[2]]] as const) {
        console.error(`--- ${peer}\n${output}`);
      }
      continue;
    }
    await writeFile(referencePath(name, size), outputs[0] ?? '');
    console.log(`${name} ${size}: three peers agree, ${outputs[0]?.length ?? 0} bytes recorded`);
  }
}
process.exitCode = failed ? 1 : 0;
