/** Test helpers: which external tools (dtc, QEMU, clang) are present. Not part of the public API. */
import { execFileSync } from 'node:child_process';

/** Whether `command` is on PATH; tests that need it skip with a message when it is not. */
export function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A `.dts` text as a map from node path to its properties (name → value text). Enough of the dtc
 * output grammar for comparing trees: one property or node per line.
 */
export function parseDts(text: string): Map<string, Map<string, string>> {
  const nodes = new Map<string, Map<string, string>>();
  const stack: string[] = [];
  const path = () => (stack.length <= 1 ? '/' : stack.slice(1).join('/').replace(/^/, '/'));
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m: RegExpMatchArray | null;
    if ((m = /^([^\s=]*)\s*\{$/.exec(line)) !== null) {
      stack.push(m[1] === '/' ? '' : m[1]!);
      nodes.set(path(), new Map());
    } else if (line === '};') {
      stack.pop();
    } else if ((m = /^([^\s=]+)\s*=\s*(.*);$/.exec(line)) !== null) {
      nodes.get(path())?.set(m[1]!, m[2]!);
    } else if ((m = /^([^\s=]+);$/.exec(line)) !== null) {
      nodes.get(path())?.set(m[1]!, '');
    }
  }
  return nodes;
}

/** Runs `f`, which is expected to throw, and returns the error and the milliseconds it took. */
export function timedError(f: () => unknown): { ms: number; error: unknown } {
  const t0 = performance.now();
  try {
    f();
  } catch (error) {
    return { ms: performance.now() - t0, error };
  }
  return { ms: performance.now() - t0, error: undefined };
}
