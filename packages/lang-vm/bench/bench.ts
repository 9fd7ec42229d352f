/**
 * lang-vm against V8's own WebAssembly on the workloads' wasm32-wasi images, in one process:
 * per-workload median wall time, slowdown and the geometric mean. Every run's output is checked against
 * the workload's reference output first. Each engine compiles a workload's module once, in its first
 * run, and instantiates it anew for each run (as the runner's host view does).
 *
 *   pnpm --filter @virtlab/lang-vm bench [--size test|bench] [--tier js|interpreter] [--only name,...] [--repeat n]
 */
import { readFileSync } from 'node:fs';
import { workloads } from '@virtlab/guest';
import { imageFor, outputsEquivalent } from '@virtlab/strategy';
import type { WorkloadSize } from '@virtlab/strategy';
import { Instance, Module, Wasi } from '../src/index.js';

interface V8Api {
  Module: new (b: Uint8Array) => object;
  Instance: new (m: object, i: object) => { exports: Record<string, unknown> };
}
const V8 = (globalThis as unknown as { WebAssembly: V8Api }).WebAssembly;

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const size = arg('size', 'bench') as WorkloadSize;
const tier = arg('tier', 'js') as 'js' | 'interpreter';
const only = arg('only', '').split(',').filter((s) => s !== '');
const repeat = Number(arg('repeat', '1'));

/** The median wall time of `repeat` runs (each one instantiates from the bytes and runs `_start`). */
function timeRun(run: () => string): { ms: number; output: string } {
  const times: number[] = [];
  let output = '';
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    output = run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return { ms: times.length % 2 === 1 ? (times[mid] as number) : ((times[mid - 1] as number) + (times[mid] as number)) / 2, output };
}

const rows: { name: string; v8: number; ours: number; ratio: number }[] = [];
console.log(`lang-vm (${tier} tier) vs V8 WebAssembly, size '${size}', median of ${repeat}, node ${process.version}`);
console.log('workload        V8 ms    lang-vm ms   slowdown');
for (const w of workloads) {
  if (only.length > 0 && !only.includes(w.name)) continue;
  const image = imageFor(w, 'wasm32-wasi', size);
  if (image === undefined) continue;
  const bytes = new Uint8Array(readFileSync(image.path));
  const args = [w.name, ...(image.args ?? [])];
  // Each engine compiles the module once and instantiates it for every run, as the host view does
  // (and as a host that runs a program repeatedly would): the first run pays the compile.
  let v8Module: object | undefined;
  let ourModule: Module | undefined;
  const v8 = timeRun(() => {
    const wasi = new Wasi({ args });
    v8Module ??= new V8.Module(bytes);
    wasi.start(new V8.Instance(v8Module, wasi.imports).exports);
    return wasi.output;
  });
  const ours = timeRun(() => {
    const wasi = new Wasi({ args });
    ourModule ??= new Module(bytes);
    wasi.start(new Instance(ourModule, wasi.imports, { tier }).exports);
    return wasi.output;
  });
  const reference = w.reference[size] ?? '';
  for (const [who, out] of [['V8', v8.output], ['lang-vm', ours.output]] as const) {
    if (!outputsEquivalent(reference, out)) {
      console.error(`${w.name}: ${who} output differs from the reference`);
      process.exitCode = 1;
    }
  }
  const ratio = ours.ms / v8.ms;
  rows.push({ name: w.name, v8: v8.ms, ours: ours.ms, ratio });
  console.log(`${w.name.padEnd(14)} ${v8.ms.toFixed(1).padStart(7)} ${ours.ms.toFixed(1).padStart(12)} ${ratio.toFixed(2).padStart(9)}x`);
}
const geomean = Math.exp(rows.reduce((s, r) => s + Math.log(r.ratio), 0) / Math.max(1, rows.length));
console.log(`geometric mean slowdown: ${geomean.toFixed(2)}x over ${rows.length} workloads`);
