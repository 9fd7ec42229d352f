import { describeDifference, firstDifference, imageFor, stripMetricLines } from '@virtlab/strategy';
import { describe, expect, it } from 'vitest';
import { workloads } from './catalog.js';
import { runBareOnBoard } from './test-support/lab-board.js';

// The lab board (hw-model + cpu-core) runs the same rv32-bare images as QEMU and must print the
// same reference. Test size only: bench size is ~1e9 instructions, minutes on the interpreter.
describe.concurrent('compute suite at size test on the lab board', () => {
  for (const workload of workloads) {
    it(`${workload.name}: rv32-bare on the lab board`, { timeout: 60_000 }, async () => {
      const image = imageFor(workload, 'rv32-bare', 'test');
      if (image === undefined) throw new Error(`${workload.name} has no rv32-bare test image`);
      const result = await runBareOnBoard(image.path);
      expect(result.exitKind, result.ending).toBe('poweroff');
      const difference = firstDifference(stripMetricLines(workload.reference.test ?? ''), stripMetricLines(result.output));
      if (difference !== null) expect.fail(`${workload.name}: ${describeDifference(difference)}`);
      expect(result.exitCode).toBe(0);
      // The board's instret is exact: the metric line must agree with the board's own count.
      const instret = /^@metric instret (\d+)$/m.exec(result.output);
      expect(Number(instret?.[1])).toBeLessThanOrEqual(result.instructions);
      expect(Number(instret?.[1])).toBeGreaterThan(result.instructions - 2000);
    });
  }
});
