// Counts the RV32 instructions of every rv32-bare image: QEMU with `-icount shift=0,sleep=off` makes the
// minstret CSR exact, and the bare runtime prints it as `@metric instret N` at exit.
// Usage: node --conditions=@virtlab/source --import tsx scripts/count-instructions.ts [size] [name...]
import type { WorkloadSize } from '@virtlab/strategy';
import { WORKLOAD_SIZES, parseMetricLines } from '@virtlab/strategy';
import { workloadImageOutput } from '../src/build/workload-recipes.js';
import { guestImage } from '../src/paths.js';
import { runQemu } from '../src/test-support/peers.js';
import { WORKLOAD_SPECS } from '../src/workload-specs.js';

const [sizeArg, ...names] = process.argv.slice(2);
const sizes = sizeArg === undefined || sizeArg === 'all' ? WORKLOAD_SIZES : [sizeArg as WorkloadSize];
for (const { name } of WORKLOAD_SPECS.filter((spec) => names.length === 0 || names.includes(spec.name))) {
  for (const size of sizes) {
    const started = Date.now();
    const result = await runQemu(guestImage(workloadImageOutput(name, 'rv32-bare', size)), {
      extraArgs: ['-icount', 'shift=0,sleep=off'],
      timeoutMs: 600_000,
    });
    const instret = parseMetricLines(result.output).find((metric) => metric.name === 'instret');
    const count = instret === undefined ? 'no instret line' : instret.value.toLocaleString('en-US');
    console.log(`${name.padEnd(14)} ${size.padEnd(6)} ${count.padStart(16)} instructions  exit ${result.exitCode}  ${Date.now() - started} ms`);
  }
}
