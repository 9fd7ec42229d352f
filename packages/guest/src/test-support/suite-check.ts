/**
 * The peer check shared by the test-size and bench-size test files: for every workload, the
 * rv32-bare image on QEMU, the wasm32-wasi image on V8 and the host-c build must print the
 * recorded reference byte for byte (`@metric ` lines aside) and exit with the expected status.
 */
import type { Workload, WorkloadSize } from '@virtlab/strategy';
import { describeDifference, firstDifference, imageFor, stripMetricLines } from '@virtlab/strategy';
import { describe, expect, it } from 'vitest';
import { workloads } from '../catalog.js';
import type { PeerResult } from './peers.js';
import { has, runHostC, runQemu, runWasm } from './peers.js';

const hasQemu = has('qemu-system-riscv32');
const hasCc = has('cc');

function expectReference(workload: Workload, size: WorkloadSize, result: PeerResult): void {
  const reference = workload.reference[size];
  expect(reference, `${workload.name} has no ${size} reference`).toBeDefined();
  const actual = stripMetricLines(result.output);
  const expected = stripMetricLines(reference ?? '');
  const difference = firstDifference(expected, actual);
  if (difference !== null) expect.fail(`${workload.name} (${size}): ${describeDifference(difference)}`);
  expect(result.exitCode).toBe(workload.expectedExitCode ?? 0);
}

function imagePath(workload: Workload, target: string, size: WorkloadSize): string {
  const image = imageFor(workload, target, size);
  if (image === undefined) throw new Error(`${workload.name} has no ${target} image at ${size}`);
  return image.path;
}

export function describePeerSuite(size: WorkloadSize, timeoutMs: number): void {
  if (!hasQemu) console.warn('skipping the QEMU peer: qemu-system-riscv32 is not installed');
  if (!hasCc) console.warn('skipping the host-c peer: cc is not installed');
  describe.concurrent(`compute suite at size ${size}: three peers print the reference`, () => {
    for (const workload of workloads) {
      it.skipIf(!hasQemu)(`${workload.name}: rv32-bare on QEMU`, { timeout: timeoutMs }, async () => {
        expectReference(workload, size, await runQemu(imagePath(workload, 'rv32-bare', size), { timeoutMs }));
      });
      it(`${workload.name}: wasm32-wasi on V8`, { timeout: timeoutMs }, async () => {
        expectReference(workload, size, await runWasm(imagePath(workload, 'wasm32-wasi', size)));
      });
      it.skipIf(!hasCc)(`${workload.name}: host-c with cc -O2`, { timeout: timeoutMs }, async () => {
        const image = imageFor(workload, 'host-c', size);
        expectReference(workload, size, await runHostC(imagePath(workload, 'host-c', size), image?.args ?? []));
      });
    }
  });
}
