import { caseRng, mutate, type Rng } from './mutator.js';

/**
 * What one case did. `accepted` and `rejected` are the two verdicts (the detail names the typed
 * error class that refused the input); `known` names an entry of a target's list of known
 * disagreements with its peer when the case matched one (visible in every report, never silent).
 */
export interface Verdict {
  readonly outcome: 'accepted' | 'rejected';
  readonly detail?: string;
  readonly known?: string;
}

/**
 * A fuzz target: seeds, and `run`, which returns a verdict for an input or throws. Typed errors
 * of the parser are caught inside `run` and reported as `rejected`; whatever `run` throws is a
 * finding (an untyped exception, or a `Disagreement` with the target's peer).
 */
export interface FuzzTarget {
  readonly name: string;
  readonly description: string;
  seeds(): Uint8Array[] | Promise<Uint8Array[]>;
  readonly dictionary?: readonly Uint8Array[];
  /** Inputs never grow past this (default 4 x the largest seed). */
  readonly maxSize?: number;
  run(input: Uint8Array): Verdict;
  /**
   * A mutation that knows the input's structure (e.g. one that edits inside a wasm section and
   * re-encodes the sizes), used for half of the cases instead of the byte-level mutator.
   */
  readonly structured?: (input: Uint8Array, rng: Rng) => Uint8Array;
  /** Why the target's live memory grows over a run, when it is a known defect of the code under test. */
  readonly memoryNote?: string;
}

/** The target and its peer (e.g. lang-vm and V8) disagree on an input: a finding. */
export class Disagreement extends Error {
  override name = 'Disagreement';
}

export interface Finding {
  readonly index: number;
  readonly error: string;
  readonly message: string;
  /** The input as generated, and the smallest input found that fails the same way. */
  readonly input: Uint8Array;
  readonly minimized: Uint8Array;
}

export interface FuzzStats {
  readonly target: string;
  cases: number;
  accepted: number;
  rejected: number;
  /** Rejections by detail (the typed error's class). */
  readonly rejections: Map<string, number>;
  /** Cases that matched a named known disagreement, by name. */
  readonly known: Map<string, number>;
  /** The first findings (at most 100 kept; `findingCount` counts them all). */
  readonly findings: Finding[];
  findingCount: number;
  /** Cases the CLI's watchdog stopped (over the time limit, never finished), by index. */
  readonly hangs: number[];
  /** Cases over the time limit (counted after they end; the CLI's watchdog stops real hangs). */
  readonly slow: { index: number; ms: number }[];
  slowest: { index: number; ms: number; size: number };
  totalMs: number;
}

export interface FuzzOptions {
  readonly cases: number;
  readonly seed: number;
  /** First case index (the CLI restarts after a hang from the next one). */
  readonly start?: number;
  readonly timeLimitMs: number;
  /** Cases not to run again (they hung before): counted as hangs. */
  readonly skip?: ReadonlySet<number>;
  /** Called before every case (the CLI's watchdog records which case runs since when). */
  readonly onCase?: (index: number) => void;
  /** Called every `progressEvery` cases. */
  readonly onProgress?: (stats: FuzzStats) => void;
  readonly progressEvery?: number;
}

export function newStats(target: string): FuzzStats {
  return { target, cases: 0, accepted: 0, rejected: 0, rejections: new Map(), known: new Map(), findings: [], findingCount: 0, hangs: [], slow: [], slowest: { index: -1, ms: 0, size: 0 }, totalMs: 0 };
}

/** Input of case `index`: deterministic in (seed, index). */
export function caseInput(target: FuzzTarget, seeds: readonly Uint8Array[], seed: number, index: number): Uint8Array {
  const maxSize = target.maxSize ?? 4 * Math.max(...seeds.map((s) => s.length));
  // Case 0..seeds-1 are the seeds themselves, unmutated.
  if (index < seeds.length) return seeds[index] as Uint8Array;
  const rng = caseRng(seed, index);
  const options = { maxSize, ...(target.dictionary === undefined ? {} : { dictionary: target.dictionary }) };
  if (target.structured !== undefined && rng.chance(2)) return target.structured(rng.pick(seeds), rng);
  return mutate(seeds, rng, options);
}

const failure = (error: unknown) => ({
  error: error instanceof Error ? error.name : typeof error,
  message: error instanceof Error ? error.message : String(error),
});

/** The way a run fails, for the minimizer: the error's class and its message without numbers. */
function signature(target: FuzzTarget, input: Uint8Array): string | undefined {
  try {
    target.run(input);
    return undefined;
  } catch (error) {
    const f = failure(error);
    return `${f.error}: ${f.message.replace(/0x[0-9a-f]+|\d+/gi, '#')}`;
  }
}

/**
 * Shrinks a failing input by deleting ranges (halves, quarters, ... single bytes) and zeroing
 * bytes while it still fails with the same signature; at most `budget` runs.
 */
export function minimize(target: FuzzTarget, input: Uint8Array, budget = 4000): Uint8Array {
  const want = signature(target, input);
  if (want === undefined) return input;
  let best = input;
  let runs = 0;
  for (let chunk = Math.max(1, best.length >> 1); chunk >= 1 && runs < budget; chunk >>= 1) {
    for (let at = 0; at < best.length && runs < budget; ) {
      const candidate = new Uint8Array(best.length - Math.min(chunk, best.length - at));
      candidate.set(best.subarray(0, at));
      candidate.set(best.subarray(at + chunk), at);
      runs++;
      if (signature(target, candidate) === want) best = candidate;
      else at += chunk;
    }
  }
  for (let at = 0; at < best.length && runs < budget; at++) {
    if (best[at] === 0) continue;
    const candidate = best.slice();
    candidate[at] = 0;
    runs++;
    if (signature(target, candidate) === want) best = candidate;
  }
  return best;
}

/** Runs `options.cases` cases of `target` from `options.start` (default 0) in this thread. */
export async function runFuzz(target: FuzzTarget, options: FuzzOptions, stats: FuzzStats = newStats(target.name)): Promise<FuzzStats> {
  const seeds = await target.seeds();
  const start = options.start ?? 0;
  const every = options.progressEvery ?? 10_000;
  const t0 = performance.now();
  for (let index = start; index < options.cases; index++) {
    if (options.skip?.has(index) === true) {
      stats.cases++;
      stats.hangs.push(index);
      continue;
    }
    const input = caseInput(target, seeds, options.seed, index);
    options.onCase?.(index);
    const c0 = performance.now();
    let verdict: Verdict | undefined;
    let thrown: unknown;
    let threw = false;
    try {
      verdict = target.run(input);
    } catch (error) {
      threw = true;
      thrown = error;
    }
    const ms = performance.now() - c0;
    stats.cases++;
    if (ms > stats.slowest.ms) stats.slowest = { index, ms, size: input.length };
    if (ms > options.timeLimitMs) stats.slow.push({ index, ms });
    if (threw) {
      stats.findingCount++;
      if (stats.findings.length < 100) stats.findings.push({ index, ...failure(thrown), input, minimized: stats.findings.length < 20 ? minimize(target, input) : input });
    } else if (verdict !== undefined) {
      if (verdict.outcome === 'accepted') stats.accepted++;
      else {
        stats.rejected++;
        const d = verdict.detail ?? 'rejected';
        stats.rejections.set(d, (stats.rejections.get(d) ?? 0) + 1);
      }
      if (verdict.known !== undefined) stats.known.set(verdict.known, (stats.known.get(verdict.known) ?? 0) + 1);
    }
    if (options.onProgress !== undefined && stats.cases % every === 0) options.onProgress(stats);
  }
  stats.totalMs += performance.now() - t0;
  return stats;
}

/** A verdict for an error a parser threw: `rejected` when it is one of `types`, else rethrown (a finding). */
export function rejectedBy(error: unknown, types: readonly (abstract new (...args: never[]) => Error)[]): Verdict {
  for (const type of types) if (error instanceof type) return { outcome: 'rejected', detail: error.name };
  throw error;
}

/** `accepted` when `f` returns, `rejected` when it throws one of `types`; anything else propagates (a finding). */
export function verdictOf(types: readonly (abstract new (...args: never[]) => Error)[], f: () => void): Verdict {
  try {
    f();
    return { outcome: 'accepted' };
  } catch (error) {
    return rejectedBy(error, types);
  }
}
