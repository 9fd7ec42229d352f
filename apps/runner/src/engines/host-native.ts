import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { imageFor, type Workload, type WorkloadImage, type WorkloadSize } from '@virtlab/strategy';
import { hostEngine, type Engine } from './engine.js';
import { which } from './which.js';

const run = promisify(execFile);

/** Where the binary for a `host-c` source lives in this bench run's directory. */
function binaryFor(dir: string, image: WorkloadImage): string {
  const hash = createHash('sha256').update(readFileSync(image.path)).digest('hex').slice(0, 16);
  return join(dir, `prog-${hash}`);
}

function compile(cc: string, dir: string, image: WorkloadImage): string {
  const binary = binaryFor(dir, image);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(cc, ['-O2', '-o', binary, image.path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cc -O2 ${image.path} failed: ${(r.stderr || r.error?.message) ?? ''}`.trim());
  return binary;
}

/**
 * The workload's C compiled by the host's `cc -O2` and run as a host process: the speed of the
 * real machine, the baseline of the host view. Compiled once per bench run (`prepare`).
 */
export function hostNativeEngine(buildDir: string | undefined): Engine {
  const cc = which('cc');
  // Binaries are named by the hash of their source, so a shared directory is safe for `virtlab run`.
  const dir = buildDir ?? join(tmpdir(), 'virtlab-host-native');
  const unavailable = cc === undefined ? 'no host C compiler (`cc`) on PATH' : undefined;
  return hostEngine({
    name: 'host-native',
    description: "the workload's C compiled with the host's cc -O2, run as a host process",
    target: 'host-c',
    unavailable,
    prepare(workloads: readonly Workload[], sizes: readonly WorkloadSize[]) {
      for (const w of workloads) {
        for (const size of sizes) {
          const image = imageFor(w, 'host-c', size);
          if (image !== undefined) compile(cc!, dir, image);
        }
      }
      return Promise.resolve();
    },
    async execute(image) {
      // `virtlab run` has no prepare step: compile on first use.
      const binary = compile(cc!, dir, image);
      try {
        const { stdout } = await run(binary, [...(image.args ?? [])], { encoding: 'latin1', maxBuffer: 64 << 20 });
        return { output: stdout, exitCode: 0 };
      } catch (e) {
        const failure = e as { code?: number | string; stdout?: string };
        if (typeof failure.code === 'number') return { output: failure.stdout ?? '', exitCode: failure.code };
        throw e;
      }
    },
  });
}
