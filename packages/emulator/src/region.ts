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
import { FORM_BY_OP, field, operandImmediate } from '@virtlab/cpu-core';
import type { CostModel } from '@virtlab/hw-model';
import { EXIT_LOOKUP, EXIT_OUTER, EXIT_PAGE, blockPrologue, emitBlockBody, inPage, registerUse } from './translator.js';
import type { Block, BlockContext, BlockFrame, TranslationEnv } from './translator.js';

/** Codes of a region's exits in the middle of a block (past the EXIT_* codes), settled by the engine. */
const OUT_SLOW = 7;
const OUT_WRITE = 8;
const OUT_JUMP = 9;

/** `FAST_EXEC` of cpu-core's tlb.ts (the fast-table permission bit for fetches). */
const FAST_EXEC = 4;

/** Block-to-block jumps (loop turns) in one call of a region function before it returns to the dispatcher. */
const YIELD = 1 << 16;

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

/** Where control can go next from `b` by a direct transfer or falling through (any page), for the self-loop test. */
export function successors(b: Block): number[] {
  const k = b.len - 1;
  const w = b.words[k]!;
  const op = b.ops[k]!;
  const pc = (b.vpc + 4 * k) | 0;
  const fall = (pc + 4) | 0;
  const form = FORM_BY_OP[op];
  if (form === undefined) return [];
  if (form.cls === 'branch') return [(pc + operandImmediate(form, w)) | 0, fall];
  if (op === 3) return field.rd(w) !== 0 ? [(pc + operandImmediate(form, w)) | 0, fall] : [(pc + operandImmediate(form, w)) | 0];
  if (op === 4) return field.rd(w) !== 0 ? [fall] : [];
  return [fall];
}

/** Slot of a pc in a region's jalr map. */
export const mapSlot = (pc: number): number => (pc >>> 2) & 1023;

/**
 * The source of a region's function over `blocks` (one data mode; pages crossed with fetch mode
 * `fetchMode`). Names bound by `compileRegion`: `RC`, `MAP`, `PCS`, `PHY`, `LEN`, `LST`, `BL`, `B0..Bn`, `SY`, `FH`
 * and those of `compileBlock`.
 */
export function generateRegionSource(blocks: readonly Block[], map: Int16Array, fetchMode: number, env: Pick<TranslationEnv, 'ramBase' | 'ramSize' | 'tlbMask'>, cost: CostModel): string {
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
  const out = [
    `let c = h.c, n = h.n, evt = h.evt, c0 = 0, n0 = 0, e = 0, P = 0, K = 0, y = ${YIELD};${used.length > 0 ? ` let ${used.map((i) => `x${i} = r[${i}]`).join(', ')};` : ''}`,
    'out: for (;;) {',
    // Back to the dispatcher now and then, so that a region running for a long time picks up
    // V8's newer optimized code (after a deoptimization, a running loop stays interpreted).
    `if (--y < 0) { P = PCS[i]; e = ${EXIT_LOOKUP}; break out; }`,
    'switch (i) {',
  ];
  blocks.forEach((b, j) => {
    const vp = pageOf(b.vpc);
    // A block that branches to itself loops in its own labelled loop (no trip through the switch).
    const selfLoop = successors(b).includes(b.vpc);
    const leave = (pc: string, code: number | string) => `i = ${j}; P = ${pc}; e = ${code}; break out;`;
    const frame: BlockFrame = {
      checked: false,
      bref: `B${j}`,
      used: usedSet,
      sync,
      afterHelper: '',
      exit(t, slot) {
        const q = (t & 3) === 0 ? byPc.get(t) ?? -1 : -1;
        if (q === j && selfLoop) return `continue b${j};`;
        if (q >= 0) {
          const target = blocks[q]!;
          if (pageOf(target.vpc) !== vp && fetchMode === 1) {
            // Only when the block there will run: at an event or the budget's end the run loop takes over first, as the interpreter's does.
            return `if (n >= ${target.len} && c + ${target.last} < evt && ${fetchHit(`${(t >>> 12) | 0}`, `${pageOf(target.phys)}`)}) { i = ${q}; continue out; } ${leave(lit(t), EXIT_PAGE)}`;
          }
          // The fall-through is the block's last statement: into the next case when that is the target.
          if (slot === 1 && q === j + 1) return selfLoop ? `break b${j};` : `/* into ${q} */`;
          return `i = ${q}; continue out;`;
        }
        return leave(lit(t), inPage(b.vpc, t) ? EXIT_LOOKUP : (t & 3) === 0 ? EXIT_PAGE : EXIT_OUTER);
      },
      exitDyn() {
        const cross = fetchMode === 1 ? ` if (((t ^ ${vp | 0}) >>> 12) !== 0 && !(n >= LEN[q] && c + LST[q] < evt && ${fetchHit('(t >>> 12)', 'PHY[q]')})) { ${leave('t', EXIT_PAGE)} }` : '';
        return `{ const q = MAP[(t >>> 2) & 1023]; if (q >= 0 && PCS[q] === t) {${cross} i = q; continue out; } } ${leave('t', `((t ^ ${vp | 0}) >>> 12) === 0 ? ${EXIT_LOOKUP} : ${EXIT_PAGE}`)}`;
      },
      out: {
        slow: (k) => `i = ${j}; K = ${k}; e = ${OUT_SLOW}; break out;`,
        codeWrite: (k) => `i = ${j}; K = ${k}; e = ${OUT_WRITE}; break out;`,
        jumpFault: (k, target) => `i = ${j}; K = ${k}; P = ${target}; e = ${OUT_JUMP}; break out;`,
      },
    };
    out.push(`case ${j}: {${selfLoop ? ` b${j}: for (;;) {` : ''}`, `if (n < ${b.len} || c + ${b.last} >= evt) { ${leave(`${b.vpc | 0}`, EXIT_LOOKUP)} }`);
    out.push(blockPrologue(b, `RC[${j}]++;`));
    out.push(...emitBlockBody(b, frame, env, cost));
    out.push(selfLoop ? '} }' : '}');
  });
  out.push('default: throw new Error("region: no block " + i);', '}', '}', `${sync} h.blk = i;`,
    // Out-of-line exits in the middle of block i: the engine settles the partial run.
    `if (e >= ${OUT_SLOW}) { h.n = n0; return e === ${OUT_SLOW} ? LB(h, BL[i], K, c0) : e === ${OUT_WRITE} ? LW(h, BL[i], K, c0) : J(h, BL[i], K, c0, P); }`,
    'h.n = n; h.c = c; h.pc = P; return e;');
  return out.join('\n');
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
const LEN = Int32Array.from(G.blocks, (b) => b.len), LST = Float64Array.from(G.blocks, (b) => b.last), ${binds};
const SY = function (${written.map((i) => `x${i}`).join(', ')}) { ${written.map((i) => `r[${i}] = x${i};`).join(' ')} };
return function region(h, i) {
${source}
};`) as (env: TranslationEnv, region: Pick<Region, 'blocks' | 'rc' | 'map'>) => RegionFn;
  return factory(env, region);
}
