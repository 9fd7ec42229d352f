// The arch-layer rule of issue 5: every privileged instruction of the kernel (CSR access, sret,
// sfence.vma, wfi, and the SBI ecall) sits in a function defined by arch/native.c. The test
// links the kernel from source, disassembles it with llvm-objdump, and checks each function.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestPackageDir } from './paths.js';
import { has } from './test-support/peers.js';
import { KERNEL_FLAGS, KERNEL_SOURCES, PARA_KERNEL_SOURCES } from '../kernel/recipes.js';

const run = promisify(execFile);
const objdump = ['llvm-objdump-14', 'llvm-objdump'].find(has);
const nm = ['llvm-nm-14', 'llvm-nm'].find(has);
const skip = !has('clang') || !has('ld.lld') || objdump === undefined || nm === undefined;
if (skip) console.warn('skipping the arch-layer disassembly test: clang, ld.lld, llvm-objdump or llvm-nm is missing');

// Privileged or environment-call instructions in RV32 (priv spec 2.1 and chapter 4; Zicsr).
const PRIVILEGED = /^(csr\w*|rd(cycle|time|instret)h?|sret|mret|wfi|sfence\.vma|ecall)$/;

/** Function name -> privileged mnemonics found in it, from `llvm-objdump -d`. */
async function privilegedByFunction(elf: string): Promise<Map<string, string[]>> {
  const { stdout } = await run(objdump as string, ['-d', '--no-show-raw-insn', elf], { maxBuffer: 1 << 26 });
  const found = new Map<string, string[]>();
  let current = '';
  for (const line of stdout.split('\n')) {
    const label = /^[0-9a-f]+ <([^>]+)>:$/.exec(line);
    if (label) {
      // Local labels (.LBB...) are inside the function before them.
      if (!(label[1] ?? '').startsWith('.L')) current = label[1] ?? '';
      continue;
    }
    const insn = /^\s*[0-9a-f]+:\s+(\S+)/.exec(line);
    if (insn && PRIVILEGED.test(insn[1] ?? '')) found.set(current, [...(found.get(current) ?? []), insn[1] ?? '']);
  }
  return found;
}

/** Text symbols defined by one object file. */
async function definedFunctions(object: string): Promise<Set<string>> {
  const { stdout } = await run(nm as string, ['--defined-only', object]);
  return new Set(
    stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => /^[tT]$/.test(fields[1] ?? ''))
      .map((fields) => fields[2] ?? ''),
  );
}

describe.skipIf(skip)('arch layer: privileged instructions only in arch/native.c', () => {
  let dir = '';
  let archFunctions = new Set<string>();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'virtlab-arch-'));
    const compileFlags = KERNEL_FLAGS.filter((flag, i) => flag !== '-T' && KERNEL_FLAGS[i - 1] !== '-T' && !flag.startsWith('-Wl,'));
    await run('clang', [...compileFlags, '-Wno-unused-command-line-argument', '-c', '-o', join(dir, 'native.o'), 'kernel/arch/native.c'], { cwd: guestPackageDir });
    archFunctions = await definedFunctions(join(dir, 'native.o'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('holds for the kernel built from source', { timeout: 60_000 }, async () => {
    const elf = join(dir, 'kernel.elf');
    await run('clang', [...KERNEL_FLAGS, '-o', elf, ...KERNEL_SOURCES], { cwd: guestPackageDir });
    const found = await privilegedByFunction(elf);
    // The layer really does the privileged work: trap entry, sret, satp, timer, console.
    for (const name of ['arch_trap_vector', 'arch_return_to_user', 'arch_set_page_table', 'arch_time']) {
      expect(archFunctions.has(name), `${name} is defined in arch/native.c`).toBe(true);
      expect(found.get(name)?.length ?? 0, `${name} executes privileged instructions`).toBeGreaterThan(0);
    }
    expect(found.get('arch_return_to_user')).toContain('sret');
    const outside = [...found.keys()].filter((name) => !archFunctions.has(name));
    expect(outside.map((name) => `${name}: ${(found.get(name) ?? []).join(', ')}`)).toEqual([]);
  });

  it('catches a privileged instruction placed outside the layer', { timeout: 60_000 }, async () => {
    const rogue = join(dir, 'rogue.c');
    await writeFile(rogue, 'unsigned rogue_read_sstatus(void) { unsigned v; __asm__ volatile("csrr %0, sstatus" : "=r"(v)); return v; }\n');
    const elf = join(dir, 'rogue.elf');
    await run('clang', [...KERNEL_FLAGS, '-o', elf, ...KERNEL_SOURCES, rogue], { cwd: guestPackageDir });
    const found = await privilegedByFunction(elf);
    const outside = [...found.keys()].filter((name) => !archFunctions.has(name));
    expect(outside).toEqual(['rogue_read_sstatus']);
  });
});

// The para-virtualized build (arch/para.c): the same kernel executes no privileged instruction at
// all; it reads the time CSR (unprivileged once counter access is granted, priv 3.1.11) and makes
// hypercalls, each ecall in a function of the para arch layer (arch/para.c, arch/para-blk.c).
describe.skipIf(skip)('arch layer: the para kernel makes hypercalls instead', () => {
  let dir = '';
  const paraFunctions = new Set<string>();
  const PARA_FLAGS = [...KERNEL_FLAGS, '-DARCH_PARA'];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'virtlab-para-arch-'));
    const compileFlags = PARA_FLAGS.filter((flag, i) => flag !== '-T' && PARA_FLAGS[i - 1] !== '-T' && !flag.startsWith('-Wl,'));
    for (const source of ['kernel/arch/para.c', 'kernel/arch/para-blk.c']) {
      const object = join(dir, source.replace(/\W/g, '_') + '.o');
      await run('clang', [...compileFlags, '-Wno-unused-command-line-argument', '-c', '-o', object, source], { cwd: guestPackageDir });
      for (const name of await definedFunctions(object)) paraFunctions.add(name);
    }
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('holds for the para kernel built from source', { timeout: 60_000 }, async () => {
    const elf = join(dir, 'kernel-para.elf');
    await run('clang', [...PARA_FLAGS, '-o', elf, ...PARA_KERNEL_SOURCES], { cwd: guestPackageDir });
    const found = await privilegedByFunction(elf);
    const mnemonics = new Set([...found.values()].flat());
    expect([...mnemonics].sort()).toEqual(['ecall', 'rdtime', 'rdtimeh']);
    expect(found.get('arch_time')).toEqual(['rdtimeh', 'rdtime', 'rdtimeh']);
    for (const name of ['arch_return_to_user', 'arch_set_page_table', 'arch_pte_set', 'arch_set_timer', 'para_hcall']) {
      expect(found.get(name) ?? [], `${name} makes a hypercall`).toContain('ecall');
    }
    const outside = [...found.keys()].filter((name) => !paraFunctions.has(name));
    expect(outside.map((name) => `${name}: ${(found.get(name) ?? []).join(', ')}`)).toEqual([]);
  });
});
