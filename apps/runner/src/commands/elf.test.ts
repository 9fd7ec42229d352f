import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError, isEngineSpecificCounter } from '@virtlab/emulator';
import { ElfError } from '@virtlab/hw-model';
import { PROGRAMS, diskImage, hostileElfs, imagePath, qemuOutputPath, runOnQemu, sourcePath } from '@virtlab/hw-model/test-programs';
import type { TestProgram } from '@virtlab/hw-model/test-programs';
import { STATUS_BUDGET, runElf, runFirmware } from './elf.js';

const hasQemu = spawnSync('sh', ['-c', 'command -v qemu-system-riscv32'], { stdio: 'ignore' }).status === 0;
const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');
const dir = mkdtempSync(join(tmpdir(), 'virtlab-elf-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command without blocking the test worker's event loop (long spawnSync calls starve vitest's RPC). */
function run(command: string, args: readonly string[], input = ''): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString('latin1') });
    });
    child.stdin.end(input);
  });
}

function virtlab(...args: string[]): Promise<Ran> {
  return run(process.execPath, ['--conditions=@virtlab/source', '--import', tsx, cli, ...args]);
}

const image = (name: string) => readFileSync(imagePath(name));
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

/** QEMU's output for a program: live when QEMU is installed, else the one recorded when the images were built. */
async function qemuReference(program: TestProgram): Promise<{ output: string; status: number | null; live: boolean }> {
  if (!hasQemu) return { output: readFileSync(qemuOutputPath(program.name), 'latin1'), status: null, live: false };
  return { ...(await runOnQemu(program, dir)), live: true };
}

describe('differential: the board with cpu-core vs qemu-system-riscv32 -M virt -bios none', () => {
  for (const program of PROGRAMS.filter((p) => p.differential)) {
    it(`${program.name}: identical UART output and exit code${hasQemu ? '' : ' (QEMU absent: against the output QEMU recorded at build time)'}`, { timeout: 90_000 }, async () => {
      const options = { maxInstructions: 50_000_000, input: program.input, ...(program.disk === true ? { disk: diskImage() } : {}) };
      const boot = program.boot;
      const ours =
        boot === undefined
          ? runElf(image(program.name), options)
          : runFirmware(image(program.name), { kernel: image(boot.kernel), initrd: readFileSync(sourcePath(boot.initrd)), bootargs: boot.append }, options);
      const ref = await qemuReference(program);
      // Line by line, so a failure shows which lines differ.
      expect(text(ours.output).split('\n')).toEqual(ref.output.split('\n'));
      if (ref.live) expect(ours.status).toBe(ref.status);
      expect(ours.exit).toMatchObject({ kind: 'poweroff', exitCode: program.exitCode, via: 'finisher' });
    });
  }

  it('takes timer interrupts, switches privilege and turns Sv32 on (the counters show it)', () => {
    // Counts follow from the programs: 5 direct + 1 vectored timer interrupt; one ecall from S,
    // two from U (one delegated), one illegal CSR read; five page faults and the final ecall.
    const timer = runElf(image('timer'));
    expect(timer.counters['irq.mtimer']).toBe(6);
    const priv = runElf(image('privilege'));
    expect(priv.counters['trap.ecall_s']).toBe(1);
    expect(priv.counters['trap.ecall_u']).toBe(2);
    expect(priv.counters['trap.illegal_instruction']).toBe(1);
    const paging = runElf(image('paging'));
    expect(paging.counters['tlb.misses']).toBeGreaterThan(0);
    expect(paging.counters['trap.load_page_fault']).toBe(3);
    expect(paging.counters['trap.store_page_fault']).toBe(1);
    expect(paging.counters['trap.fetch_page_fault']).toBe(1);
  });

  it('is deterministic: the same image gives the same cycles, counters and output twice', () => {
    const a = runElf(image('timer'));
    const b = runElf(image('timer'));
    expect(b.labCycles).toBe(a.labCycles);
    expect(b.counters).toEqual(a.counters);
    expect(text(b.output)).toBe(text(a.output));
  });

  it('--engine dbt (the translator) gives the same output, exit, lab cycles and lab counters', () => {
    const lab = (c: Record<string, number>) => Object.fromEntries(Object.entries(c).filter(([k]) => !isEngineSpecificCounter(k)));
    for (const name of ['timer', 'privilege', 'paging']) {
      const a = runElf(image(name));
      const b = runElf(image(name), { engine: 'dbt' });
      expect({ ...b, counters: lab(b.counters) }).toEqual({ ...a, counters: lab(a.counters) });
    }
    expect(() => runElf(image('timer'), { engine: 'jit' })).toThrow(EngineError);
  });
});

describe('runaway guests leave the host running and say what happened', () => {
  it('a guest that loops forever is stopped by the budget', () => {
    const r = runElf(image('loop-forever'), { maxInstructions: 200_000 });
    expect(r.exit).toMatchObject({ kind: 'budget', steps: 200_000 });
    expect(r.status).toBe(STATUS_BUDGET);
    expect(text(r.output)).toBe('looping forever\n');
    expect(r.summary).toMatch(/budget exhausted/);
  });

  it('a jump into nothing with the trap vector pointing into nothing is reported as a fault loop', () => {
    const r = runElf(image('trap-loop'), { maxInstructions: 1_000_000 });
    expect(['fault-loop', 'budget']).toContain(r.exit.kind);
    expect(r.summary).toMatch(/0x00000004/);
  });

  it('garbage written to every MMIO register: the run goes on and ends normally', () => {
    const r = runElf(image('mmio-garbage'));
    expect(r.exit).toMatchObject({ kind: 'poweroff', exitCode: 0 });
    expect(r.counters['mmio.plic']).toBeGreaterThan(1000);
    // The program prints 0x61c6 load and store access faults, and so does QEMU (differential test above).
    expect(r.counters['trap.load_access']).toBe(0x61c6);
    expect(r.counters['trap.store_access']).toBe(0x61c6);
  });

  it('HTIF: a tohost write of (5 << 1) | 1 ends the run with exit code 5', () => {
    const r = runElf(image('htif-exit'), { htif: true });
    expect(r.exit).toEqual({ kind: 'poweroff', exitCode: 5, via: 'htif' });
    expect(text(r.output)).toBe('exit 5 through tohost\n');
  });

  it('malformed ELFs get typed errors', () => {
    const hello = image('hello');
    expect(() => runElf(hello.subarray(0, 100))).toThrow(ElfError);
    const wrongMachine = Uint8Array.from(hello);
    wrongMachine[18] = 62; // EM_X86_64
    expect(() => runElf(wrongMachine)).toThrow(/e_machine is 62, not 243/);
  });
});

describe('virtlab elf on the hostile files of issue 19', () => {
  for (const hostile of hostileElfs(new Uint8Array(readFileSync(imagePath('hello'))))) {
    it(`${hostile.name} (${hostile.description}): a typed error and exit status 2, promptly`, { timeout: 30_000 }, async () => {
      const file = join(dir, `${hostile.name}.elf`);
      writeFileSync(file, hostile.bytes);
      const t0 = performance.now();
      const r = await virtlab('elf', file);
      const ms = performance.now() - t0;
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^virtlab elf: ${file.replaceAll('.', '\\.')}: ElfError: \\S`));
      // Node and tsx start in about 0.6 s on the development machine; loading itself is a few ms.
      // The bound is loose for a loaded machine; the figure is in the README (time pnpm virtlab elf ...).
      expect(ms).toBeLessThan(10_000);
    });
  }

  it('a directory, a device and an absent file are typed input errors with status 2', { timeout: 30_000 }, async () => {
    const r = await virtlab('elf', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/InputFileError: ELF file '.*' is a directory, not a regular file/);
    const z = await virtlab('elf', '/dev/zero');
    expect(z.status).toBe(2);
    expect(z.stderr).toMatch(/InputFileError: ELF file '\/dev\/zero' is a character device, not a regular file/);
    const a = await virtlab('elf', join(dir, 'absent.elf'));
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/InputFileError: ELF file '.*absent\.elf' cannot be read: ENOENT/);
  });
});

describe('virtlab elf', () => {
  it('prints the UART output and exits with the guest exit code', { timeout: 90_000 }, async () => {
    const r = await virtlab('elf', imagePath('exit-code'));
    expect(r.stdout).toBe('exiting with 7\n');
    expect(r.status).toBe(7);
    expect(r.stderr).toMatch(/finisher with exit code 7/);
  });

  it('--max-instructions stops a runaway guest with status 124', { timeout: 90_000 }, async () => {
    const r = await virtlab('elf', '--max-instructions', '100000', imagePath('loop-forever'));
    expect(r.status).toBe(124);
    expect(r.stderr).toMatch(/budget exhausted after 100000 steps/);
  });

  it('--htif ends on tohost', { timeout: 90_000 }, async () => {
    const r = await virtlab('elf', '--htif', imagePath('htif-exit'));
    expect(r.status).toBe(5);
  });

  it('--trace prints privilege, pc and the disassembled instruction', { timeout: 90_000 }, async () => {
    const r = await virtlab('elf', '--trace', imagePath('exit-code'));
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(/^\[M\] 0x80000000: auipc sp, 0x1000$/);
    expect(lines.filter((l) => l.startsWith('[M] 0x')).length).toBeGreaterThan(100);
  });

  it('--input feeds the guest UART, with \\n for newlines', { timeout: 90_000 }, async () => {
    const r = await virtlab('elf', imagePath('uart-echo'), '--input', 'ab\\ncd\\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('got: AB\nCD\n');
  });

  it('--disk gives the guest a virtio-blk disk', { timeout: 90_000 }, async () => {
    const file = join(dir, 'cli-disk.img');
    writeFileSync(file, diskImage());
    const r = await virtlab('elf', imagePath('virtio-blk'), '--disk', file);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('  data: virtlab disk sector 0: hello fro\n');
    expect(readFileSync(file)).toEqual(Buffer.from(diskImage())); // the file itself is not written
  });

  it("--kernel, --initrd and --append boot by QEMU's protocol", { timeout: 90_000 }, async () => {
    const fw = PROGRAMS.find((p) => p.name === 'boot-fw')!;
    const r = await virtlab('elf', imagePath('boot-fw'), '--kernel', imagePath('boot-kernel'), '--initrd', sourcePath(fw.boot!.initrd), '--append', 'from the command line');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('bootargs = "from the command line"');
    expect(r.stdout).toContain('kernel in S mode');
    expect((await virtlab('elf', imagePath('hello'), '--append', 'x')).stderr).toMatch(/BootError: --initrd and --append need --kernel/);
  });

  it('--trace follows the guest through Sv32 into S-mode', () => {
    const lines: string[] = [];
    runElf(image('paging'), { trace: (l) => lines.push(l) });
    const s = lines.filter((l) => l.startsWith('[S] '));
    expect(s.length).toBeGreaterThan(100);
    // The fetch from the non-executable page at 0x4000_0000 shows up as a pc there.
    expect(lines.some((l) => l.startsWith('[S] 0x40000000: '))).toBe(true);
  });

  it('a truncated file is an ElfError naming what is wrong, with status 2', { timeout: 90_000 }, async () => {
    const file = join(dir, 'truncated.elf');
    writeFileSync(file, image('hello').subarray(0, 100));
    const r = await virtlab('elf', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ElfError: program headers extend past end of file/);
  });
});
