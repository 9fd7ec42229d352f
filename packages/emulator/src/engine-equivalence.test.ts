// One suite, run under both engines: each program's behaviour is checked against values from the
// specs, and under `dbt` everything the lab can observe (output, registers, CSRs, RAM, lab
// cycles and lab counters) must equal what the interpreter leaves.
import { readFileSync } from 'node:fs';
import { encode } from '@virtlab/cpu-core';
import { firmwareImage, guestImage, workloads } from '@virtlab/guest';
import { imageFor, stripMetricLines } from '@virtlab/strategy';
import { PROGRAMS, diskImage, imagePath, qemuOutputPath, sourcePath } from '@virtlab/hw-model/test-programs';
import type { TestProgram } from '@virtlab/hw-model/test-programs';
import { describe, expect, it } from 'vitest';
import { createEmulator } from './emulator.js';
import type { EngineKind, EngineOptions } from './engine.js';
import { EXIT, PUTS, observe, runAsm } from './test-support/lab-state.js';
import type { AsmRun, LabObservation } from './test-support/lab-state.js';

type Options = Parameters<typeof runAsm>[2];

/**
 * What the suite runs under: the interpreter, the translator as shipped, the translator building
 * its regions at once (on a block's second run alone), so that short programs run inside regions
 * too — wasm regions where RAM is physical —, and the same with every region in JavaScript.
 */
const CONFIGS = ['interp', 'dbt', 'dbt-regions', 'dbt-js-regions'] as const;
type Config = (typeof CONFIGS)[number];
// The translator's configurations translate from the start (`interpretFirst: 0`; the switch from
// the interpreter, which happens between run calls, is tested on its own below).
const engineOf = (c: Config): { engine: EngineKind; engineOptions?: EngineOptions } =>
  c === 'dbt-regions' ? { engine: 'dbt', engineOptions: { regionThreshold: 2, interpretFirst: 0 } }
    : c === 'dbt-js-regions' ? { engine: 'dbt', engineOptions: { regionThreshold: 2, wasm: false, interpretFirst: 0 } }
      : c === 'dbt' ? { engine: 'dbt', engineOptions: { interpretFirst: 0 } }
        : { engine: c };

/** Image bytes, read once: both engines see the same bytes even if images are rebuilt meanwhile. */
const files = new Map<string, Buffer>();
function read(path: string): Buffer {
  let b = files.get(path);
  if (b === undefined) files.set(path, (b = readFileSync(path)));
  return b;
}

/** The interpreter's observation of each program, taken once and compared with every other engine's. */
const reference = new Map<string, LabObservation>();

function equivalent(kind: Config, key: string, obs: LabObservation, again: () => LabObservation): void {
  if (kind === 'interp') reference.set(key, obs);
  else expect(obs).toEqual(reference.get(key) ?? again());
}

async function equivalentAsync(kind: Config, key: string, obs: LabObservation, again: () => Promise<LabObservation>): Promise<void> {
  if (kind === 'interp') reference.set(key, obs);
  else expect(obs).toEqual(reference.get(key) ?? (await again()));
}

/** Runs under `kind`; under dbt, demands the interpreter's exact observation. */
function run(kind: Config, source: string, options?: Options): AsmRun {
  const { engine, engineOptions } = engineOf(kind);
  const r = runAsm(engine, source, { ...options, engineOptions: { ...options?.engineOptions, ...engineOptions } });
  equivalent(kind, source + JSON.stringify(options ?? {}), r.obs, () => runAsm('interp', source, options).obs);
  return r;
}

/** A bare-metal image as \`qemu -bios none -kernel\`. */
function runBare(kind: Config, path: string): LabObservation {
  const emu = createEmulator(engineOf(kind));
  emu.loadBareElf(read(path));
  const obs = observe(emu, emu.run({ maxInstructions: 50_000_000 }));
  if (kind === 'dbt-regions' || kind === 'dbt-js-regions') {
    // The workload really ran inside regions (and left them again).
    const ec = emu.engine.engineCounters();
    expect(ec['dbt.regions_built']).toBeGreaterThan(0);
    expect(ec['dbt.region_entries']).toBeGreaterThan(0);
    // Bare metal runs on physical RAM: its regions are wasm, unless wasm is turned off.
    if (kind === 'dbt-regions') expect(ec['dbt.wasm_regions']).toBeGreaterThan(0);
    else expect(ec['dbt.wasm_regions']).toBe(0);
  }
  return obs;
}

/**
 * Firmware, the guest kernel and its initrd, as \`qemu -bios fw.elf -kernel kernel.elf -initrd initrd.cpio -append\`.
 * Run in pieces of whole slices with a turn of the event loop between them, so a long boot does not
 * starve the test runner's worker of its heartbeat; the slices are the same for both engines.
 */
async function boot(kind: Config, bootargs: string, slice = 1 << 22, options?: { engine: EngineKind; engineOptions?: EngineOptions }): Promise<LabObservation> {
  const emu = createEmulator(options ?? engineOf(kind));
  emu.bootQemu({
    firmware: read(firmwareImage),
    kernel: read(guestImage('kernel/kernel.elf')),
    initrd: read(guestImage('kernel/initrd.cpio')),
    bootargs,
  });
  for (let used = 0; ; used += slice) {
    const r = emu.run({ maxInstructions: slice });
    if (r.exit.kind !== 'budget' || used > 500_000_000) return observe(emu, r);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** One of hw-model's test programs on the board, as the runner's `virtlab elf` runs it. */
function runProgram(kind: Config, p: TestProgram): LabObservation {
  const emu = createEmulator({ ...engineOf(kind), boardOptions: { uartInput: p.input, ...(p.disk === true ? { disk: diskImage() } : {}) } });
  const image = read(imagePath(p.name));
  if (p.boot === undefined) emu.loadBareElf(image, { htif: p.htif === true });
  else emu.bootQemu({ firmware: image, kernel: read(imagePath(p.boot.kernel)), initrd: read(sourcePath(p.boot.initrd)), bootargs: p.boot.append });
  return observe(emu, emu.run({ maxInstructions: p.exitCode === -1 ? 2_000_000 : 50_000_000 }));
}

const kernelImages = [firmwareImage, guestImage('kernel/kernel.elf'), guestImage('kernel/initrd.cpio')];
const missingKernel = kernelImages.filter((p) => {
  try {
    readFileSync(p);
    return false;
  } catch {
    return true;
  }
});
if (missingKernel.length > 0) console.warn(`skipping the guest-kernel boots: missing ${missingKernel.join(', ')} (run pnpm guests)`);

const PRIVILEGE = `
  li t0, -1              # PMP entry 0: NAPOT over everything, RWX, so S and U may run (priv 3.7)
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  li t0, mtrap
  csrw mtvec, t0
  li t0, strap
  csrw stvec, t0
  li t0, 0x100          # delegate ecall from U (cause 8) to S
  csrw medeleg, t0
  li t0, 0x800          # mstatus.MPP = S
  csrrs zero, mstatus, t0
  li t0, s_entry
  csrw mepc, t0
  csrr s3, mcycle
  csrr s4, minstret
  mret
s_entry:
  li a0, 10
  li t0, u_entry
  csrw sepc, t0
  sret                  # SPP = 0: to U
u_entry:
  addi a0, a0, 5
  ecall
  addi a0, a0, 100
  .word 0xffffffff      # illegal, not delegated: M
  addi a0, a0, 1000
strap:
  csrr t1, scause
  add s1, s1, t1
  csrr t2, sepc
  addi t2, t2, 4
  csrw sepc, t2
  sret
mtrap:
  csrr t1, mcause
  add s2, s2, t1
  csrr s5, mtval
  csrr s6, mcycle
  csrr s7, minstret
  csrr s8, mstatus
${EXIT}`;

// Sv32 (priv 4.3): a 4 MiB identity megapage for the kernel at 0x8000_0000, and VA 0x4000_0000
// through a second-level table to one of two code pages, VA 0x4000_1000 to a data page.
const ROOT = 0x80100000;
const L0 = 0x80101000;
const P1 = 0x80102000;
const P2 = 0x80103000;
const DATA = 0x80104000;
const pte = (pa: number, flags: number) => (((pa >>> 12) << 10) | flags) | 0;
const V = 1, R = 2, W = 4, X = 8, A = 0x40, D = 0x80;
const PAGING = `
  li t0, -1              # PMP entry 0: NAPOT over everything, RWX, so S and U may run (priv 3.7)
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  li t0, mtrap
  csrw mtvec, t0
  li t0, strap
  csrw stvec, t0
  li t0, 0xb000         # instruction, load and store page faults to S (causes 12, 13, 15)
  csrw medeleg, t0
  li t0, 0x800
  csrrs zero, mstatus, t0
  li t0, s_main
  csrw mepc, t0
  mret
s_main:
  li t0, ${(0x80000000 | (ROOT >>> 12)) | 0}
  csrw satp, t0
  sfence.vma zero, zero
  li s0, 0x40000000
  li s7, 3
call1:
  jalr ra, 0(s0)
  add s1, s1, a0
  addi s7, s7, -1
  bne s7, zero, call1
  li t1, 0x40001000
  li t2, 1234
  sw t2, 0(t1)
  lw s2, 0(t1)
  li t1, ${L0}
  li t2, ${pte(P2, V | R | X | A | D)}
  sw t2, 0(t1)          # remap VA 0x4000_0000 under the translated block
  sfence.vma zero, zero
  li s7, 3
call2:
  jalr ra, 0(s0)
  add s3, s3, a0
  addi s7, s7, -1
  bne s7, zero, call2
  li t1, 0x40002000
  lw s4, 0(t1)          # unmapped: load page fault, handled in S
  ecall                 # to M, which ends the run
strap:
  csrr s5, scause
  csrr s6, stval
  csrr t3, sepc
  addi t3, t3, 4
  csrw sepc, t3
  sret
mtrap:
  csrr s8, mcause
${EXIT}`;

const TIMER = `
  li t0, mtrap
  csrw mtvec, t0
  li t1, 0x2004000      # CLINT mtimecmp
  li t2, 0x200bff8      # CLINT mtime
  lw t3, 0(t2)
  addi t3, t3, 50
  sw zero, 4(t1)
  sw t3, 0(t1)
  li t0, 0x80           # mie.MTIE
  csrw mie, t0
  csrrsi zero, mstatus, 8
  li s2, 0x80200000
work:
  lw t4, 0(s2)
  addi t4, t4, 3
  sw t4, 0(s2)
  addi s1, s1, 1
  mul t5, s1, s1
  div t6, t5, s1
  li t0, 40
  blt s0, t0, work
sleep:
  wfi
  li t0, 45
  blt s0, t0, sleep
  csrrci zero, mstatus, 8
  li t0, 0x80200004
  sw s1, 0(t0)
${EXIT}
mtrap:
  addi s0, s0, 1
  csrr s3, mepc
  lw t3, 0(t2)
  addi t3, t3, 37
  sw t3, 0(t1)
  mret
`;

const SMC = `
  li t0, patch
  li a1, ${encode('addi a0, zero, 1')}
  li a2, ${encode('addi a0, zero, 2')}
  li s1, 3
outer:
  sw a1, 0(t0)
  fence.i
  jal ra, fn
  add s0, s0, a0
  sw a2, 0(t0)
  fence.i
  jal ra, fn
  add s0, s0, a0
  addi s1, s1, -1
  bne s1, zero, outer
  li t0, patch
  li a1, ${encode('addi a0, zero, 5')}
  sw a1, 0(t0)          # no fence.i: this machine, like QEMU, sees the store at once
  jal ra, fn
  mv s4, a0
  li s3, 4
  li a3, ${encode('addi a4, zero, 9')}
same_block:
  auipc t2, 0
  sw a3, 16(t2)         # rewrites the addi three instructions further on, in the same block
  nop
  nop
  addi a4, zero, 7
  add s2, s2, a4
  addi s3, s3, -1
  bne s3, zero, same_block
${EXIT}
fn:
patch:
  addi a0, zero, 0
  jalr zero, 0(ra)
`;

describe.each(CONFIGS)('%s engine', (kind) => {
  it('privileged transitions: mret to S, sret to U, a delegated ecall to S, an illegal word to M (priv 3.1.6.1, 3.3.2)', () => {
    const m = run(kind, PRIVILEGE);
    expect(m.obs.exit).toEqual({ kind: 'poweroff', exitCode: 0, via: 'finisher' });
    expect(m.reg('a0')).toBe(115);
    expect(m.reg('s1')).toBe(8); // scause: environment call from U
    expect(m.reg('s2')).toBe(2); // mcause: illegal instruction
    expect(m.reg('s5') >>> 0).toBe(0xffffffff); // mtval: the instruction bits, as QEMU
    expect((m.reg('s8') >>> 11) & 3).toBe(0); // MPP: came from U
    expect(m.reg('s7')).toBeGreaterThan(m.reg('s4'));
  });

  it('Sv32: translated code through a second-level table, a page remapped under a translated block, a load page fault', () => {
    const tables = [
      { at: ROOT + 4 * 0x200, words: [pte(0x80000000, V | R | W | X | A | D)] },
      { at: ROOT + 4 * 0x100, words: [pte(L0, V)] },
      { at: L0, words: [pte(P1, V | R | X | A | D), pte(DATA, V | R | W | A | D)] },
    ];
    const blobs = [
      { at: P1, base: 0x40000000, source: 'li a0, 1\njalr zero, 0(ra)' },
      { at: P2, base: 0x40000000, source: 'li a0, 2\njalr zero, 0(ra)' },
    ];
    const m = run(kind, PAGING, { data: tables, blobs });
    expect(m.obs.exit.kind).toBe('poweroff');
    expect(m.reg('s1')).toBe(3); // old mapping, three calls
    expect(m.reg('s2')).toBe(1234);
    expect(m.reg('s3')).toBe(6); // new mapping after sfence.vma
    expect(m.reg('s5')).toBe(13); // load page fault
    expect(m.reg('s6')).toBe(0x40002000);
    expect(m.reg('s8')).toBe(9); // ecall from S
    expect(m.obs.counters['tlb.misses']).toBeGreaterThan(0);
    expect(m.obs.counters['trap.load_page_fault']).toBe(1);
  });

  it('timer interrupts and WFI: taken at the same instruction boundaries, with the same lab cycles', () => {
    const m = run(kind, TIMER);
    expect(m.obs.exit.kind).toBe('poweroff');
    expect(m.reg('s0')).toBe(45);
    expect(m.obs.counters['irq.mtimer']).toBe(45);
    expect(m.obs.counters['wfi.entries']).toBeGreaterThan(0);
    expect(m.obs.counters['wfi.cycles']).toBeGreaterThan(0);
  });

  it('self-modifying code: rewritten, executed, rewritten again — the new behaviour every time, also inside one block', () => {
    const m = run(kind, SMC);
    expect(m.obs.exit.kind).toBe('poweroff');
    expect(m.reg('s0')).toBe(9);
    expect(m.reg('s4')).toBe(5);
    expect(m.reg('s2')).toBe(36);
    if (kind !== 'interp') expect(m.emu.engine.engineCounters()['dbt.invalidations']).toBeGreaterThan(0);
  });

  it('a misaligned jump traps at the jump with the target in mtval; a jump into nothing ends as a fault loop', () => {
    const m = run(kind, `
  li t0, mtrap
  csrw mtvec, t0
  li t0, 0x80000402
jump:
  jalr ra, 0(t0)
mtrap:
  csrr s1, mcause
  csrr s2, mtval
  csrr s3, mepc
  li t0, 0
  csrw mtvec, t0
  jalr zero, 0(zero)
`);
    expect(m.obs.exit.kind).toBe('fault-loop');
    expect(m.reg('s1')).toBe(0);
    expect(m.reg('s2')).toBe(0x80000402 | 0);
    expect(m.reg('s3')).toBe(m.labels.get('jump')! | 0);
    expect(m.reg('ra')).toBe(0);
  });

  it('a taken branch to a misaligned target traps at the branch (mepc the branch, mtval the target), inside a hot loop', () => {
    const m = run(kind, `
  li t0, mtrap
  csrw mtvec, t0
  li t1, 40
loop:
  addi t1, t1, -1
  addi s4, s4, 3
branch:
  .word ${encode('beq t1, zero, 6')}
  j loop
mtrap:
  csrr s1, mcause
  csrr s2, mtval
  csrr s3, mepc
  li t0, 0
  csrw mtvec, t0
  jalr zero, 0(zero)
`);
    expect(m.obs.exit.kind).toBe('fault-loop');
    expect(m.reg('s1')).toBe(0);
    expect(m.reg('s2')).toBe((m.labels.get('branch')! + 6) | 0);
    expect(m.reg('s3')).toBe(m.labels.get('branch')! | 0);
    expect(m.reg('s4')).toBe(120);
  });

  it('UART output and an instruction budget that stops a guest that never ends', () => {
    const m = run(kind, `
  li a0, msg
  jal ra, puts
spin:
  addi s0, s0, 1
  j spin
${PUTS}
msg:
  .word 0x6c6c6568
  .word 0x0000006f
`, { maxInstructions: 100_000 });
    expect(m.obs.output).toBe('hello');
    expect(m.obs.exit.kind).toBe('budget');
  });

  // mmio-garbage (tens of thousands of device writes, each one the end of a block) is left to
  // hw-model's own tests: it alone would double this suite's time.
  describe("the lab machine's test programs (hw-model/test-programs): QEMU's output and exit code", () => {
    for (const p of PROGRAMS.filter((x) => x.kind !== 'kernel' && x.name !== 'mmio-garbage')) {
      it(p.name, () => {
        const obs = runProgram(kind, p);
        if (p.exitCode >= 0) expect(obs.exit).toMatchObject({ kind: 'poweroff', exitCode: p.exitCode });
        else expect(obs.exit.kind).not.toBe('poweroff');
        if (p.differential) expect(obs.output).toBe(readFileSync(qemuOutputPath(p.name), 'latin1'));
        equivalent(kind, `program:${p.name}`, obs, () => runProgram('interp', p));
      }, 60_000);
    }
  });

  describe('compute suite, bare metal (rv32-bare, test size): the reference output', () => {
    for (const w of workloads) {
      const image = imageFor(w, 'rv32-bare', 'test');
      it.skipIf(image === undefined)(w.name, () => {
        const obs = runBare(kind, image!.path);
        expect(obs.exit).toEqual({ kind: 'poweroff', exitCode: w.expectedExitCode ?? 0, via: 'finisher' });
        expect(stripMetricLines(obs.output)).toBe(stripMetricLines(w.reference.test!));
        equivalent(kind, `bare:${w.name}`, obs, () => runBare('interp', image!.path));
      });
    }
  });

  describe.skipIf(missingKernel.length > 0)('the guest kernel on the board', () => {
    it('boots and runs osbench: same output, ticks per operation, lab cycles and counters', async () => {
      const obs = await boot(kind, 'init=/bin/osbench');
      expect(obs.exit).toEqual({ kind: 'poweroff', exitCode: 0, via: 'finisher' });
      expect(obs.output).toContain('osbench: done');
      expect(obs.output).toContain('null syscall (getppid): 20000 calls, checksum 0');
      expect(obs.counters['trap.ecall_u']).toBeGreaterThan(20000);
      await equivalentAsync(kind, 'kernel:osbench', obs, () => boot('interp', 'init=/bin/osbench'));
    }, 60_000);

    for (const name of ['crc32', 'sha256']) {
      it(`runs the ${name} workload as a process: the reference output`, async () => {
        const w = workloads.find((x) => x.name === name)!;
        const obs = await boot(kind, `init=/bin/${name},test`);
        expect(obs.exit).toEqual({ kind: 'poweroff', exitCode: 0, via: 'finisher' });
        expect(stripMetricLines(obs.output)).toContain(stripMetricLines(w.reference.test!));
        await equivalentAsync(kind, `kernel:${name}`, obs, () => boot('interp', `init=/bin/${name},test`));
      }, 60_000);
    }
  });
});

// The engine as shipped leaves the first 2^22 steps to the interpreter; `virtlab boot` runs in
// slices of 2,000,000 steps, so the switch would fall inside a call, under Sv32, mid-page: the run
// loop must not make a page entry there that the interpreter would not have made.
describe('dbt engine as shipped', () => {
  it('switches from the interpreter to translation in virtlab boot\'s slices, lab-identical', { skip: missingKernel.length > 0, timeout: 60_000 }, async () => {
    const obs = await boot('dbt', 'init=/bin/osbench', 2_000_000, { engine: 'dbt' });
    expect(obs.exit).toEqual({ kind: 'poweroff', exitCode: 0, via: 'finisher' });
    expect(obs).toEqual(await boot('interp', 'init=/bin/osbench', 2_000_000));
  });
});
