/**
 * Regions: hot translated blocks compiled together into one JavaScript function, so that going
 * from block to block is a jump inside that function (`i = next; continue`, falling into the next
 * `case`, or a labelled loop for a block that branches to itself) rather than a return to the
 * dispatcher, and the guest registers stay in JS locals across the whole region.
 *
 * A region holds the blocks around a hot block along the transitions they actually took, on one
 * or more pages of one data mode. Each block keeps exactly its single-block semantics
 * (translator.ts `emitBlockBody`): before it runs, the region tests the dispatcher's fit condition
 * (the whole block runs before the next event and within the instruction budget) and leaves to
 * the dispatcher when it fails, which then runs the block's checked variant; a jump to another
 * page does what the interpreter's run loop does when it enters a page — under Sv32 a fetch
 * translation through the TLB, counted as a hit, done inline here and left to the run loop when it
 * would not hit. So lab cycles and counters do not depend on whether a block ran alone or inside a
 * region. Completed runs are counted per block in `rc`.
 *
 * Everything rare leaves the function (out of line): an instruction that needs the general path,
 * a store that wrote a page holding translations, a misaligned jump. That keeps the function
 * small, which is what makes V8 optimize it soon, and keeps untaken paths free of operations V8
 * would deoptimize on for lack of type feedback.
 */
import { FAST_EXEC, FORM_BY_OP, operandImmediate } from '@virtlab/cpu-core';
import type { CostModel } from '@virtlab/hw-model';
import { CONTINUE, EXIT_LOOKUP, EXIT_OUTER, EXIT_PAGE, EXIT_SINGLE, blockPrologue, emitBlockBody, inPage, registerUse, staticTarget } from './translator.js';
import type { Block, BlockContext, BlockFrame, TranslationEnv } from './translator.js';

/** Codes of a region's exits in the middle of a block (past the EXIT_* codes), settled by the engine. */
export const OUT_SLOW = 7;
export const OUT_WRITE = 8;
export const OUT_JUMP = 9;

/**
 * One fit test for a whole turn of a loop laid out in line: the instructions of all its blocks, and
 * how far into the turn (in cycles) the last of them may end if every branch before it is taken.
 */
export function turnFit(members: readonly number[], blocks: readonly Block[], takenBranch: number): { insns: number; reach: number } {
  let insns = 0;
  let cycles = 0;
  let reach = 0;
  for (const q of members) {
    const x = blocks[q]!;
    reach = Math.max(reach, cycles + x.last);
    cycles += x.pre[x.len]! + takenBranch;
    insns += x.len;
  }
  return { insns, reach };
}

/**
 * Runs the region from its block `i`; returns an EXIT_* code with `h` updated and `h.blk` the index
 * of the block whose page the dispatcher continues in.
 */
export type RegionFn = (h: BlockContext, i: number) => number;

export interface Region {
  readonly dm: number;
  /** The blocks, by ascending physical address. */
  readonly blocks: readonly Block[];
  /** (pc >>> 2) & 1023 → index in `blocks` of a block starting at a pc with those bits, or -1 (jalr targets). */
  readonly map: Int16Array;
  /** Completed runs of each block not yet folded into the block's `runs`. */
  readonly rc: Float64Array;
  /** Moves counts kept elsewhere (a wasm region's int32 counters) into `rc`. */
  settle?: () => void;
  /** True when the blocks lie on more than one page. */
  readonly multiPage: boolean;
  /** For a multi-page region, the conditions its page crossings were compiled under: fetch mode (0 bare, 1 Sv32), privilege, PMP version. */
  readonly fetchMode: number;
  readonly priv: number;
  readonly pmpEpoch: number;
  fn: RegionFn;
  valid: boolean;
  readonly sourceBytes: number;
  /** Calls of `fn`. */
  entries: number;
  /** Exits to a block outside the region since the last merge test. */
  exits: number;
  /** Instructions its blocks had run at the last merge test. */
  work: number;
}

/** Where control goes next from `b` by a direct transfer or falling through (any page); a call's return site is not one. */
export function successors(b: Block): number[] {
  const k = b.len - 1;
  const pc = (b.vpc + 4 * k) | 0;
  const fall = (pc + 4) | 0;
  const e = b.sems[k]!;
  const form = FORM_BY_OP[b.ops[k]!];
  if (form === undefined) return [];
  if (e.kind === 'branch') return [(pc + operandImmediate(form, b.words[k]!)) | 0, fall];
  if (e.kind === 'jump') {
    const t = staticTarget(b, k);
    return t === undefined ? [] : [t];
  }
  return [fall];
}

/**
 * A region's jalr map: `(pc >>> 2) & 1023` → index of the first block starting at a pc with those
 * bits, or -1 (the generated code computes the same slot and checks the pc in `PCS`).
 */
export function regionMap(blocks: readonly Block[]): Int16Array {
  const map = new Int16Array(1024).fill(-1);
  blocks.forEach((b, j) => {
    const slot = (b.vpc >>> 2) & 1023;
    if (map[slot] === -1) map[slot] = j;
  });
  return map;
}

/**
 * The source of a region's function over `blocks` (one data mode; pages crossed with fetch mode
 * `fetchMode`). Names bound by `compileRegion`: `RC`, `MAP`, `PCS`, `PHY`, `LEN`, `LST`, `BL`, `B0..Bn`, `SY`, `FH`
 * and those of `compileBlock`.
 */
export function generateRegionSource(blocks: readonly Block[], fetchMode: number, env: Pick<TranslationEnv, 'ramBase' | 'ramSize' | 'tlbMask'>, cost: CostModel): string {
  const { used, written } = registerUse(blocks);
  // One call writes the locals back (one call site rather than a store per register).
  const sync = `SY(${written.map((i) => `x${i}`).join(', ')});`;
  const usedSet = new Set(used);
  const byPc = new Map<number, number>();
  blocks.forEach((b, j) => byPc.set(b.vpc, j));
  const lit = (t: number) => ((t | 0) < 0 ? `(${t | 0})` : `${t | 0}`);
  const pageOf = (x: number) => x & ~0xfff;
  // The interpreter's page entry under Sv32: the fetch translation must hit the TLB (and is counted).
  const fetchHit = (vpnExpr: string, physExpr: string) =>
    `(TT[(${vpnExpr} & ${env.tlbMask}) << 2] === ${vpnExpr} && (TT[((${vpnExpr} & ${env.tlbMask}) << 2) + 1] & ${FAST_EXEC}) !== 0 && TT[((${vpnExpr} & ${env.tlbMask}) << 2) + 2] === ${physExpr} && ++FH[0] > 0)`;
  /** Region blocks that `b` may go to directly without a page-entry check. */
  const plainSuccessors = (b: Block): number[] =>
    successors(b).map((t) => ((t & 3) === 0 ? byPc.get(t) ?? -1 : -1)).filter((q) => q >= 0 && (fetchMode === 0 || pageOf(blocks[q]!.vpc) === pageOf(b.vpc)));
  // One copy per loop: laid out at its header, the member with the lowest address (where the back edge goes).
  const cycles = blocks.map((_, j) => {
    const cycle = findCycle(j, plainSuccessors, blocks);
    return cycle !== undefined && cycle.every((m) => m >= j) ? cycle : undefined;
  });
  const out = [
    `let c = h.c, n = h.n, evt = h.evt, e = 0, P = 0, K = 0;${used.length > 0 ? ` let ${used.map((i) => `x${i} = r[${i}]`).join(', ')};` : ''}`,
    // Every call returns within the instruction budget (at most the run loop's chunk), which also
    // lets a long-running region pick up V8's newer code after a deoptimization.
    'out: for (;;) {',
    'switch (i) {',
  ];
  blocks.forEach((_, j) => {
    // A loop through j (j, then cycle[1..], back to j) is laid out in line inside case j.
    const cycle = cycles[j];
    const members = cycle ?? [j];
    if (cycle !== undefined) out.push(`case ${j}: { L${j}: for (;;) {`);
    else out.push(`case ${j}: {`);
    members.forEach((m, pos) => {
      const b = blocks[m]!;
      const vp = pageOf(b.vpc);
      const lastInCase = pos === members.length - 1;
      const leave = (pc: string, code: number | string) => `i = ${m}; P = ${pc}; e = ${code}; break out;`;
      const frame: BlockFrame = {
        checked: false,
        bref: `B${m}`,
        used: usedSet,
        sync,
        afterHelper: '',
        exit(t, slot) {
          const q = (t & 3) === 0 ? byPc.get(t) ?? -1 : -1;
          if (cycle !== undefined) {
            if (!lastInCase && q === members[pos + 1]) return CONTINUE;
            if (lastInCase && q === j) return `continue L${j};`;
          }
          if (q >= 0) {
            const target = blocks[q]!;
            if (pageOf(target.vpc) !== vp && fetchMode === 1) {
              // Only when the block there will run: at an event or the budget's end the run loop takes over first, as the interpreter's does.
              return `if (n >= ${target.len} && c + ${target.last} < evt && ${fetchHit(`${(t >>> 12) | 0}`, `${pageOf(target.phys)}`)}) { i = ${q}; continue out; } ${leave(lit(t), EXIT_PAGE)}`;
            }
            // The fall-through that ends the case: into the next case when that is the target.
            if (slot === 1 && lastInCase && q === j + 1) return cycle !== undefined ? `break L${j};` : `/* into ${q} */`;
            return `i = ${q}; continue out;`;
          }
          return leave(lit(t), inPage(b.vpc, t) ? EXIT_LOOKUP : (t & 3) === 0 ? EXIT_PAGE : EXIT_OUTER);
        },
        exitDyn() {
          const cross = fetchMode === 1 ? ` if (((t ^ ${vp | 0}) >>> 12) !== 0 && !(n >= LEN[q] && c + LST[q] < evt && ${fetchHit('(t >>> 12)', 'PHY[q]')})) { ${leave('t', EXIT_PAGE)} }` : '';
          return `{ const q = MAP[(t >>> 2) & 1023]; if (q >= 0 && PCS[q] === t) {${cross} i = q; continue out; } } ${leave('t', `((t ^ ${vp | 0}) >>> 12) === 0 ? ${EXIT_LOOKUP} : ${EXIT_PAGE}`)}`;
        },
        out: {
          slow: (k) => `i = ${m}; K = ${k}; e = ${OUT_SLOW}; break out;`,
          codeWrite: (k) => `i = ${m}; K = ${k}; e = ${OUT_WRITE}; break out;`,
          jumpFault: (k, target) => `i = ${m}; K = ${k}; P = ${target}; e = ${OUT_JUMP}; break out;`,
        },
      };
      if (cycle === undefined) out.push(`if (n < ${b.len} || c + ${b.last} >= evt) { ${leave(`${b.vpc | 0}`, EXIT_LOOKUP)} }`);
      else if (pos === 0) {
        // One test for a whole turn of the loop: enough instructions left for all its blocks, and
        // each block would end before the next event even if every branch before it were taken.
        // When it fails, the header runs alone (with its own exact test) and the blocks after it
        // come back in through their own cases.
        const { insns, reach } = turnFit(members, blocks, cost.takenBranch);
        out.push(`if (n < ${insns} || c + ${reach} >= evt) { ${leave(`${b.vpc | 0}`, EXIT_SINGLE)} }`);
      }
      // n0/c0 are worked out at the out-of-line exits (all come before the block's own branch).
      out.push(blockPrologue(b, `RC[${m}]++;`, false));
      out.push(...emitBlockBody(b, frame, env, cost));
    });
    out.push(cycle !== undefined ? '} }' : '}');
  });
  out.push('default: throw new Error("region: no block " + i);', '}', '}', `${sync} h.blk = i;`,
    // Out-of-line exits in the middle of block i: the engine settles the partial run.
    `if (e >= ${OUT_SLOW}) { const n0 = n + LEN[i], c0 = c - TOT[i]; h.n = n0; return e === ${OUT_SLOW} ? LB(h, BL[i], K, c0) : e === ${OUT_WRITE} ? LW(h, BL[i], K, c0) : J(h, BL[i], K, c0, P); }`,
    'h.n = n; h.c = c; h.pc = P; return e;');
  return out.join('\n');
}

/** Longest loop laid out in line, in blocks. */
const MAX_CYCLE = 8;

/**
 * A simple loop through block `j` — `j`, then blocks each reached directly from the one before,
 * back to `j` — or undefined. Depth-first, shortest first found; fall-through edges tried first.
 */
export function findCycle(j: number, next: (b: Block) => number[], blocks: readonly Block[]): number[] | undefined {
  const path = [j];
  const onPath = new Set([j]);
  const walk = (m: number): boolean => {
    const succ = next(blocks[m]!).reverse();
    if (succ.includes(j)) return true;
    if (path.length >= MAX_CYCLE) return false;
    for (const q of succ) {
      if (onPath.has(q)) continue;
      path.push(q);
      onPath.add(q);
      if (walk(q)) return true;
      path.pop();
      onPath.delete(q);
    }
    return false;
  };
  return walk(j) ? path : undefined;
}

/** Compiles a region's source, bound to `env` and the region's blocks and arrays. */
export function compileRegion(source: string, env: TranslationEnv, region: Pick<Region, 'blocks' | 'rc' | 'map'>): RegionFn {
  const { written } = registerUse(region.blocks);
  const binds = region.blocks.map((_, j) => `B${j} = G.blocks[${j}]`).join(', ');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the translator's whole point: generated code, compiled once
  const factory = new Function('E', 'G', `"use strict";
const r = E.r, M8 = E.ram8, M8S = E.ram8s, M16 = E.ram16, M16S = E.ram16s, M32 = E.ram32, CP = E.codePages;
const TT = E.tlbTable, J = E.jumpFault, MULHU = E.mulhu, FH = E.fetchHits;
const W2 = E.codeWritten, LB = E.leaveBefore, LW = E.leaveAfterWrite, BL = G.blocks;
const RC = G.rc, MAP = G.map, PCS = Int32Array.from(G.blocks, (b) => b.vpc), PHY = Int32Array.from(G.blocks, (b) => b.phys & ~4095);
const LEN = Int32Array.from(G.blocks, (b) => b.len), LST = Float64Array.from(G.blocks, (b) => b.last), TOT = Float64Array.from(G.blocks, (b) => b.pre[b.len]), ${binds};
const SY = function (${written.map((i) => `x${i}`).join(', ')}) { ${written.map((i) => `r[${i}] = x${i};`).join(' ')} };
return function region(h, i) {
${source}
};`) as (env: TranslationEnv, region: Pick<Region, 'blocks' | 'rc' | 'map'>) => RegionFn;
  return factory(env, region);
}
