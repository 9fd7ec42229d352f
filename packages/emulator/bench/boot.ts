/**
 * Time from start to the guest shell's prompt, the way a person meets it: `virtlab boot --engine
 * <kind>` (firmware + kernel + initrd on the lab board, the console on stdout) in a fresh process,
 * stopped by `--until '$ '` when the console shows the prompt. `pnpm --filter @virtlab/emulator
 * bench:boot [--runs 5] [--engines interp,dbt] [--until '$ ']`.
 *
 * The engines take turns, run after run (the machine may be shared: alternating keeps a load
 * change from landing on one engine only). Per run: the wall clock from spawning the process to
 * its exit, and from the process's own `--timing` line the part before the board was ready
 * (Node start, module loading, building the board and loading the images) and the guest's part
 * (board ready to prompt: guest execution, translation, WFI, console). The guest part is what an
 * engine changes; both engines must run the same steps and lab cycles to the prompt.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Timing {
  engine: string;
  readyMs: number;
  guestMs: number;
  instructions: number;
  labCycles: number;
  mips: number;
}

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(opt('runs') ?? 5);
const engines = (opt('engines') ?? 'interp,dbt').split(',');
const until = opt('until') ?? '$ ';
const cli = fileURLToPath(new URL('../../../apps/runner/src/cli.ts', import.meta.url));

function bootOnce(engine: string): Timing & { wallMs: number } {
  const t0 = performance.now();
  const p = spawnSync(process.execPath, ['--conditions=@virtlab/source', '--import', 'tsx', cli, 'boot', '--engine', engine, '--until', until, '--timing'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  const wallMs = performance.now() - t0;
  const line = p.stderr.split('\n').find((l) => l.startsWith('[virtlab boot] timing: '));
  if (p.status !== 0 || line === undefined || !p.stdout.endsWith(until)) {
    throw new Error(`virtlab boot --engine ${engine}: status ${p.status}, output ending ${JSON.stringify(p.stdout.slice(-40))}\n${p.stderr}`);
  }
  return { ...(JSON.parse(line.slice('[virtlab boot] timing: '.length)) as Timing), wallMs };
}

const all = new Map<string, (Timing & { wallMs: number })[]>(engines.map((e) => [e, []]));
for (let i = 0; i < runs; i++) {
  for (const engine of engines) {
    const t = bootOnce(engine);
    all.get(engine)!.push(t);
    console.error(`run ${i + 1} ${engine.padEnd(6)} wall ${t.wallMs.toFixed(0).padStart(5)} ms = ready ${t.readyMs.toFixed(0).padStart(4)} ms + guest ${t.guestMs.toFixed(0).padStart(4)} ms (${t.instructions} steps, ${t.labCycles} lab cycles, ${t.mips.toFixed(1)} MIPS)`);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const first = all.get(engines[0]!)![0]!;
for (const [engine, ts] of all) {
  for (const t of ts) {
    if (t.instructions !== first.instructions || t.labCycles !== first.labCycles) {
      throw new Error(`${engine} reached the prompt after ${t.instructions} steps and ${t.labCycles} lab cycles, ${engines[0]} after ${first.instructions} and ${first.labCycles}`);
    }
  }
}
console.log(`\nvirtlab boot to ${JSON.stringify(until)}: ${first.instructions} steps, ${first.labCycles} lab cycles (the same for every engine); ${runs} runs each, alternating, ms\n`);
console.log('| engine | wall, median (min–max) | board ready, median | guest to prompt, median (min–max) | guest MIPS, median |');
console.log('|---|---:|---:|---:|---:|');
for (const [engine, ts] of all) {
  const w = ts.map((t) => t.wallMs);
  const g = ts.map((t) => t.guestMs);
  console.log(`| ${engine} | ${median(w).toFixed(0)} (${Math.min(...w).toFixed(0)}–${Math.max(...w).toFixed(0)}) | ${median(ts.map((t) => t.readyMs)).toFixed(0)} | ${median(g).toFixed(0)} (${Math.min(...g).toFixed(0)}–${Math.max(...g).toFixed(0)}) | ${median(ts.map((t) => t.mips)).toFixed(1)} |`);
}
