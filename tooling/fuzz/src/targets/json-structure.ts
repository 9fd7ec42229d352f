// A JSON-aware mutation: parse the seed, change one value somewhere in the tree (another type,
// an edge number, a long or odd string, a deleted or duplicated member or element), write it back.
// Byte-level mutations mostly break the syntax; these reach the checks of the shape and the code
// that uses the values.
import type { Rng } from '../mutator.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const REPLACEMENTS: readonly Json[] = [null, true, false, 0, -1, 1.5, -0, 2 ** 53, 1e308, -1e308, '', 'x', '</script>', 'ok', 'lab', 'host', 'test', 'bench', '\u2028', [], {}, [0], { a: 1 }];

function paths(value: Json, out: (Json[] | { [k: string]: Json })[] = []): (Json[] | { [k: string]: Json })[] {
  if (value !== null && typeof value === 'object') {
    out.push(value);
    for (const v of Array.isArray(value) ? value : Object.values(value)) paths(v, out);
  }
  return out;
}

export function mutateJson(input: Uint8Array, rng: Rng): Uint8Array {
  let root: Json;
  try {
    root = JSON.parse(new TextDecoder().decode(input)) as Json;
  } catch {
    return input;
  }
  const containers = paths(root);
  if (containers.length === 0) return input;
  for (let n = 1 + rng.below(3); n > 0; n--) {
    const c = rng.pick(containers);
    const keys = Array.isArray(c) ? c.map((_, i) => i) : Object.keys(c);
    if (keys.length === 0) continue;
    const key = rng.pick<string | number>(keys);
    const op = rng.below(4);
    const get = () => (Array.isArray(c) ? c[key as number] : c[key as string]) as Json;
    const set = (v: Json) => (Array.isArray(c) ? (c[key as number] = v) : (c[key as string] = v));
    if (op === 0 || op === 1) set(rng.pick(REPLACEMENTS));
    else if (op === 2) {
      if (Array.isArray(c)) c.splice(key as number, 1);
      else delete c[key as string];
    } else if (Array.isArray(c)) c.splice(key as number, 0, structuredClone(get()));
    else c[`${String(key)}${rng.below(3)}`] = structuredClone(get());
  }
  return new TextEncoder().encode(JSON.stringify(root));
}
