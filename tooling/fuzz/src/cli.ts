// `pnpm fuzz`: every target (or those named) for a long, seeded run, each in a worker thread
// under a watchdog that stops a case running past the time limit (a hang) and resumes after it.
// Prints cases, verdicts, findings (minimized, as hex), hangs, the slowest case, and memory:
// the worker's heap after a full GC at the start and the end, and the process's peak RSS.
import { Worker } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import type { Finding } from './engine.js';
import { TARGETS, targetByName } from './targets/index.js';
import type { SerializedStats, WorkerJob, WorkerMessage } from './worker.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '19' },
    'time-limit': { type: 'string', default: '2000' },
    target: { type: 'string', multiple: true },
  },
});
const count = (flag: string, v: string) => {
  const n = Number(v.replaceAll('_', ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${flag} wants a positive integer, got '${v}'`);
  return n;
};
const cases = count('cases', values.cases);
const seed = count('seed', values.seed);
const timeLimitMs = count('time-limit', values['time-limit']);
const targets = values.target === undefined ? TARGETS : values.target.map(targetByName);
const workerUrl = import.meta.url.endsWith('.ts') ? new URL('./worker-source.mjs', import.meta.url) : new URL('./worker.js', import.meta.url);
const MiB = 2 ** 20;
/** Heap growth over a run below this is noise (V8's own caches, code space). */
const GROWTH_NOISE_MIB = 16;

interface Outcome {
  readonly stats: SerializedStats;
  readonly hangs: number[];
  readonly heapStartMiB: number;
  readonly heapEndMiB: number;
  readonly peakRssMiB: number;
  readonly wallMs: number;
}

/** Runs one target to the end, restarting its worker after each hang. */
async function runTarget(name: string): Promise<Outcome> {
  const hangs: number[] = [];
  let peakRss = process.memoryUsage().rss;
  let heapStart: number | undefined;
  const t0 = performance.now();
  for (;;) {
    const shared = new SharedArrayBuffer(16);
    const index = new Int32Array(shared, 0, 2);
    const started = new Float64Array(shared, 8, 1);
    const job: WorkerJob = { target: name, cases, seed, start: 0, timeLimitMs, shared, skip: hangs };
    const worker = new Worker(workerUrl, { workerData: job });
    const result = await new Promise<{ done: Extract<WorkerMessage, { kind: 'done' }> } | { hang: number }>((resolve, reject) => {
      const watch = setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        if (Atomics.load(index, 1) === 1 && performance.timeOrigin + performance.now() - (started[0] ?? 0) > timeLimitMs) {
          const hung = Atomics.load(index, 0);
          clearInterval(watch);
          void worker.terminate().then(() => resolve({ hang: hung }));
        }
      }, 50);
      worker.on('message', (m: WorkerMessage) => {
        if (m.kind === 'progress') {
          peakRss = Math.max(peakRss, m.rssMiB * MiB);
          process.stderr.write(`  ${name}: ${m.cases} cases, heap ${m.heapMiB.toFixed(1)} MiB\n`);
        } else {
          clearInterval(watch);
          resolve({ done: m });
        }
      });
      worker.on('error', (e) => {
        clearInterval(watch);
        reject(e);
      });
    });
    if ('hang' in result) {
      process.stderr.write(`  ${name}: case ${result.hang} ran past ${timeLimitMs} ms: stopped, counted as a hang, resuming\n`);
      hangs.push(result.hang);
      continue;
    }
    heapStart ??= result.done.heapStartMiB;
    return { stats: result.done.stats, hangs, heapStartMiB: heapStart, heapEndMiB: result.done.heapEndMiB, peakRssMiB: peakRss / MiB, wallMs: performance.now() - t0 };
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const untyped = (f: Finding) => f.error !== 'Disagreement';

process.stdout.write(`pnpm fuzz: ${cases} cases per target, seed ${seed}, time limit ${timeLimitMs} ms per case\n`);
const rows: string[][] = [];
let failed = false;
for (const target of targets) {
  process.stderr.write(`${target.name}: ${target.description}\n`);
  const o = await runTarget(target.name);
  const s = o.stats;
  const untypedCount = s.findings.filter(untyped).length + (s.findingCount - s.findings.length);
  const disagreements = s.findings.filter((f) => !untyped(f)).length;
  const known = s.known.reduce((n, [, k]) => n + k, 0);
  if (s.findingCount > 0 || o.hangs.length > 0 || s.slow.length > 0) failed = true;
  // Live memory (heap after a full GC) should be flat; growth beyond noise is a finding unless the
  // target names it as a known defect of the code under test.
  const growth = o.heapEndMiB - o.heapStartMiB;
  if (growth > GROWTH_NOISE_MIB) {
    process.stdout.write(`${target.name}: live heap grew by ${growth.toFixed(1)} MiB over the run${target.memoryNote === undefined ? '' : ` (known defect: ${target.memoryNote})`}\n`);
    if (target.memoryNote === undefined) failed = true;
  }
  rows.push([
    target.name,
    String(s.cases),
    String(s.accepted),
    String(s.rejected),
    String(untypedCount),
    String(disagreements),
    String(known),
    String(o.hangs.length),
    `${s.slowest.ms.toFixed(1)} (#${s.slowest.index}, ${s.slowest.size} B)`,
    `${o.heapStartMiB.toFixed(1)} -> ${o.heapEndMiB.toFixed(1)}`,
    o.peakRssMiB.toFixed(0),
    (o.wallMs / 1000).toFixed(1),
  ]);
  for (const f of s.findings.slice(0, 10)) process.stdout.write(`${target.name} finding, case ${f.index}: ${f.error}: ${f.message.slice(0, 300)}\n  minimized (${f.minimized.length} bytes): ${hex(f.minimized)}\n`);
  for (const [k, n] of s.known) process.stdout.write(`${target.name}: ${n} case(s) named: ${k}\n`);
  for (const [k, n] of s.rejections) process.stdout.write(`${target.name}: rejected by ${k}: ${n}\n`);
}
const header = ['target', 'cases', 'accepted', 'rejected', 'untyped', 'disagree', 'known', 'hangs', 'slowest ms (case, size)', 'heap MiB start -> end', 'peak RSS MiB', 'wall s'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
process.exitCode = failed ? 1 : 0;
