// Runs rv32-bare images on the lab board (hw-model + cpu-core) and compares with the reference:
// the bench-size check that is too slow for the test suite.
// Usage: node --conditions=@virtlab/source --import tsx scripts/lab-board-run.ts [test|bench] [name...]
import type { WorkloadSize } from '@virtlab/strategy';
import { imageFor, outputsEquivalent } from '@virtlab/strategy';
import { workloads } from '../src/catalog.js';
import { runBareOnBoard } from '../src/test-support/lab-board.js';

const [sizeArg = 'bench', ...names] = process.argv.slice(2);
const size = sizeArg as WorkloadSize;
let failed = false;
for (const workload of workloads.filter((w) => names.length === 0 || names.includes(w.name))) {
  const image = imageFor(workload, 'rv32-bare', size);
  if (image === undefined) continue;
  const started = Date.now();
  const result = await runBareOnBoard(image.path, 3_000_000_000);
  const ms = Date.now() - started;
  const same = outputsEquivalent(workload.reference[size] ?? '', result.output) && result.exitCode === 0;
  failed ||= !same;
  const mips = (result.instructions / ms / 1000).toFixed(1);
  console.log(
    `${workload.name.padEnd(14)} ${size} ${same ? 'same as reference' : 'DIFFERS'}  ${result.instructions.toLocaleString('en-US')} instructions  ${result.labCycles.toLocaleString('en-US')} lab cycles  ${ms} ms (${mips} MIPS)  ${result.ending}`,
  );
}
process.exitCode = failed ? 1 : 0;
