/**
 * The three real peers that check the reference outputs: QEMU running the rv32-bare image, V8
 * running the wasm32-wasi image, and the host's C compiler building the host-c source.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runWasi } from './wasi.js';

const run = promisify(execFile);

/** Whether a command is on PATH (tests skip with a message when a peer is absent). */
export function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface PeerResult {
  readonly output: string;
  readonly exitCode: number;
}

export class PeerError extends Error {
  override readonly name = 'PeerError';
}

export interface QemuOptions {
  /** `-bios` argument: `none` for bare images, or the firmware ELF. */
  readonly bios?: string;
  readonly extraArgs?: readonly string[];
  readonly timeoutMs?: number;
  /** Stops QEMU (exit code -1) once the output so far satisfies this, e.g. a reboot loop seen twice. */
  readonly stopWhen?: (output: string) => boolean;
}

/** Runs `qemu-system-riscv32 -M virt` with the serial console on stdout; resolves at exit. */
export function runQemu(kernel: string, options: QemuOptions = {}): Promise<PeerResult> {
  const { bios = 'none', extraArgs = [], timeoutMs = 30_000, stopWhen } = options;
  const args = ['-M', 'virt', '-display', 'none', '-monitor', 'none', '-serial', 'stdio'];
  args.push('-bios', bios, '-kernel', kernel, ...extraArgs);
  return new Promise((resolve, reject) => {
    // stdin stays open until QEMU exits: at EOF on stdin, QEMU 7.2's stdio chardev now and then
    // drops serial output (seen as a lost last line in CI).
    const child = spawn('qemu-system-riscv32', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => undefined);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let stopped = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      if (!stopped && stopWhen?.(Buffer.concat(out).toString('latin1')) === true) {
        stopped = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new PeerError(`qemu ${kernel} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      const stderr = Buffer.concat(err).toString();
      if (stopped) {
        resolve({ output: Buffer.concat(out).toString('latin1'), exitCode: -1 });
        return;
      }
      if (code === null) return;
      if (stderr.trim() !== '' && code !== 0 && out.length === 0) {
        reject(new PeerError(`qemu ${kernel}: ${stderr}`));
        return;
      }
      resolve({ output: Buffer.concat(out).toString('latin1'), exitCode: code });
    });
  });
}

/** Runs a wasm32-wasi image on Node's WebAssembly with the WASI shim. */
export async function runWasm(path: string): Promise<PeerResult> {
  return runWasi(await readFile(path));
}

/** Compiles a host-c source with `cc -O2` and runs it with `args`. */
export async function runHostC(source: string, args: readonly string[], timeoutMs = 60_000): Promise<PeerResult> {
  const dir = await mkdtemp(join(tmpdir(), 'virtlab-host-'));
  try {
    const binary = join(dir, 'program');
    await run('cc', ['-O2', '-o', binary, source]);
    try {
      const { stdout } = await run(binary, [...args], { timeout: timeoutMs, encoding: 'latin1', maxBuffer: 1 << 26 });
      return { output: stdout, exitCode: 0 };
    } catch (error) {
      const failed = error as { code?: unknown; stdout?: string };
      if (typeof failed.code === 'number') return { output: failed.stdout ?? '', exitCode: failed.code };
      throw error;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
