import type { Command } from 'commander';
import { disassemble } from '@virtlab/cpu-core';
import type { Hart } from '@virtlab/cpu-core';
import type { CostModel, InitialHartState, MachineRunResult, VirtBoard } from '@virtlab/hw-model';
import { InputFileError, parseProfile, readInputFile, type IsaProfileName } from '@virtlab/lab-kit';
import { parseCostModel, parseCount, type CostModelFlag } from './options.js';
import { BootError, ElfError, bootBareElf, bootQemu, createVirtBoard, describeExit, runMachine, startHart } from '@virtlab/hw-model';
import { EngineError, createEngine, wasmRamFor } from '@virtlab/emulator';
import type { WasmRam } from '@virtlab/emulator';

export interface ElfRunOptions {
  /** End the run when the guest writes (code << 1) | 1 to its `tohost` symbol. */
  readonly htif?: boolean;
  /** Step budget (instructions plus trap entries). */
  readonly maxInstructions?: number;
  /** Called with one line per executed instruction: privilege, pc, disassembly. */
  readonly trace?: (line: string) => void;
  /** A disk image for virtio-blk in the first virtio slot (written in place). */
  readonly disk?: Uint8Array;
  /** Bytes the guest's UART receives. */
  readonly input?: string | Uint8Array;
  /** Called with the guest's UART output as it appears (flushed after every run slice). */
  readonly output?: (bytes: Uint8Array) => void;
  /** `interp` (cpu-core's interpreter, default) or `dbt` (@virtlab/emulator's translator): same lab cycles and counters. */
  readonly engine?: string;
  /** ISA profile of the hart: `rv32ima` (default) or `legacy`. */
  readonly profile?: IsaProfileName;
  /** The price table (default: hw-model's default cost model). */
  readonly cost?: CostModel;
}

export interface ElfRunResult extends MachineRunResult {
  /** The process exit status: the guest's exit code, 124 for a spent budget, 125 for other stops. */
  readonly status: number;
  readonly summary: string;
}

/** Exit status for a guest that did not end by itself (as timeout(1) reports a timeout). */
export const STATUS_BUDGET = 124;
/** Exit status for a run that stopped without an exit code (reset, deadlock, fault loop). */
export const STATUS_STOPPED = 125;
export const DEFAULT_MAX_INSTRUCTIONS = 1_000_000_000;

const PRIV_LETTER = ['U', 'S', '?', 'M'] as const;

/**
 * Where the hart fetches `pc` from, by a read-only Sv32 walk (priv 4.3.2) that touches neither the
 * TLB nor the counters; undefined when the page is not mapped or not in RAM.
 */
function fetchAddress(hart: Hart, board: VirtBoard): number | undefined {
  const pc = hart.pc >>> 0;
  if (hart.priv === 3 || hart.satp >>> 31 === 0) return pc;
  const pte = (address: number) => (board.bus.isRam(address, 4) ? board.bus.read(address, 4) : 0);
  let table = (hart.satp & 0x3fffff) * 4096;
  for (let level = 1; level >= 0; level--) {
    const e = pte(table + 4 * ((pc >>> (level === 1 ? 22 : 12)) & 0x3ff));
    if ((e & 1) === 0) return undefined;
    const ppn = e >>> 10;
    if ((e & 0xa) !== 0) {
      // A leaf: a megapage keeps the low 22 bits of the address, a page the low 12.
      return level === 1 ? ((ppn >>> 10) * 0x400000 + (pc & 0x3fffff)) >>> 0 : (ppn * 4096 + (pc & 0xfff)) >>> 0;
    }
    table = ppn * 4096;
  }
  return undefined;
}

/** One trace line: privilege, virtual pc, and the instruction fetched from there. */
function traceLine(hart: Hart, board: VirtBoard): string {
  const pc = hart.pc >>> 0;
  const pa = fetchAddress(hart, board);
  const at = `0x${pc.toString(16).padStart(8, '0')}`;
  const insn = pa !== undefined && board.bus.isRam(pa, 4) ? disassemble(board.bus.read(pa, 4), pc) : '(not mapped to RAM)';
  return `[${PRIV_LETTER[hart.priv]}] ${at}: ${insn}`;
}

/** Runs a bare RV32 ELF on the virt board with cpu-core's hart, the way `virtlab elf` does. */
export function runElf(elf: Uint8Array, options: ElfRunOptions = {}): ElfRunResult {
  const wasmRam = wasmRamFor(options.engine ?? 'interp');
  const board = createVirtBoard({ disk: options.disk, uartInput: options.input, cost: options.cost, ...(wasmRam === undefined ? {} : { ramBuffer: wasmRam.buffer }) });
  const boot = bootBareElf(board, elf, { htif: options.htif === true });
  return runBooted(board, boot.state, options, wasmRam);
}

export interface FirmwareBoot {
  readonly kernel?: Uint8Array;
  readonly initrd?: Uint8Array;
  readonly bootargs?: string;
}

/** Boots firmware (+ kernel, initrd, bootargs) by QEMU's protocol, as `-bios FW -kernel K -initrd RD -append ARGS`. */
export function runFirmware(firmware: Uint8Array, boot: FirmwareBoot, options: ElfRunOptions = {}): ElfRunResult {
  const wasmRam = wasmRamFor(options.engine ?? 'interp');
  const board = createVirtBoard({ disk: options.disk, uartInput: options.input, bootargs: boot.bootargs, cost: options.cost, ...(wasmRam === undefined ? {} : { ramBuffer: wasmRam.buffer }) });
  const r = bootQemu(board, { firmware, kernel: boot.kernel, initrd: boot.initrd });
  return runBooted(board, r.state, options, wasmRam);
}

/** `wasmRam`: the board's RAM, held for the translator's wasm back end (`wasmRamFor`). */
function runBooted(board: VirtBoard, state: InitialHartState, options: ElfRunOptions, wasmRam: WasmRam | undefined): ElfRunResult {
  const engine = createEngine(options.engine ?? 'interp', board, { ...(options.profile === undefined ? {} : { profile: options.profile }), ...(wasmRam === undefined ? {} : { wasmRam }) });
  const hart = engine.hart;
  startHart(engine, state);
  const uart = board.uart;
  let flushed = 0;
  const flush = () => {
    const out = uart.output;
    if (options.output !== undefined && out.length > flushed) options.output(out.slice(flushed));
    flushed = out.length;
  };
  const trace = options.trace;
  if (trace !== undefined) trace(traceLine(hart, board));
  const result = runMachine(board, engine, {
    maxInstructions: options.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS,
    // Tracing steps one instruction at a time; otherwise slices keep the hart in its fast loop.
    sliceSteps: trace === undefined ? 65536 : 1,
    onSlice: () => {
      flush();
      if (trace !== undefined && !board.halt.halted) trace(traceLine(hart, board));
    },
  });
  flush();
  const exit = result.exit;
  const status = exit.kind === 'poweroff' ? exit.exitCode : exit.kind === 'budget' ? STATUS_BUDGET : STATUS_STOPPED;
  const summary = `${describeExit(exit)} (${result.instructions} instructions, ${result.labCycles} lab cycles)`;
  return { ...result, status, summary };
}

/**
 * Size limits of the files `virtlab elf` reads: an image or initrd must fit the board's RAM to be
 * of use (an ELF may carry sections that are not loaded, hence the margin); a disk is held in
 * memory whole.
 */
export const ELF_FILE_MAX_BYTES = 512 * 1024 * 1024;
export const INITRD_FILE_MAX_BYTES = 128 * 1024 * 1024;
export const DISK_FILE_MAX_BYTES = 1024 * 1024 * 1024;

export function registerElf(program: Command): void {
  program
    .command('elf')
    .description("run a bare RV32 ELF on the lab board (QEMU virt's map, cpu-core's hart): print its UART output, exit with its exit code")
    .argument('<file>', 'an ELF32 RISC-V executable linked for RAM at 0x80000000 (the firmware, with --kernel)')
    .option('--htif', 'end the run when the guest writes (code << 1) | 1 to its `tohost` symbol (riscv-tests convention)')
    .option('--max-instructions <n>', `stop a guest that never ends after n steps (default ${DEFAULT_MAX_INSTRUCTIONS})`, parseCount)
    .option('--trace', 'print every executed instruction with its privilege and pc to stderr')
    .option('--input <text>', 'bytes the guest UART receives (\\n for newline), e.g. commands for a shell')
    .option('--disk <file>', 'a raw disk image for virtio-blk in the first virtio slot (changes stay in memory)')
    .option('--kernel <file>', "boot by QEMU's protocol: <file> is the M-mode firmware, this the kernel (ELF or raw, at 0x80400000)")
    .option('--initrd <file>', 'with --kernel: the initial RAM disk (at kernel + min(RAM/2, 128 MiB))')
    .option('--append <args>', 'with --kernel: the kernel command line (/chosen/bootargs)')
    .option('--engine <kind>', 'interp (the interpreter, default) or dbt (the binary translator); lab cycles and counters are the same')
    .option('--profile <name>', 'ISA profile of the hart: rv32ima (default) or legacy', parseProfile)
    .option('--cost-model <name|file.json>', 'the price table: a preset (default, vtx-2006, modern) or a JSON file of prices', parseCostModel)
    .action((file: string, opts: { engine?: string; profile?: IsaProfileName; costModel?: CostModelFlag; htif?: boolean; maxInstructions?: number; trace?: boolean; input?: string; disk?: string; kernel?: string; initrd?: string; append?: string }) => {
      let result: ElfRunResult;
      try {
        const bytes = readInputFile(file, 'ELF file', ELF_FILE_MAX_BYTES);
        const run: ElfRunOptions = {
          htif: opts.htif,
          engine: opts.engine,
          ...(opts.profile === undefined ? {} : { profile: opts.profile }),
          ...(opts.costModel === undefined ? {} : { cost: opts.costModel.model }),
          maxInstructions: opts.maxInstructions,
          input: opts.input?.replaceAll('\\n', '\n'),
          ...(opts.disk === undefined ? {} : { disk: readInputFile(opts.disk, 'disk image', DISK_FILE_MAX_BYTES) }),
          output: (b) => process.stdout.write(b),
          ...(opts.trace === true ? { trace: (line: string) => process.stderr.write(`${line}\n`) } : {}),
        };
        if (opts.kernel === undefined && (opts.initrd !== undefined || opts.append !== undefined)) {
          throw new BootError('--initrd and --append need --kernel');
        }
        result =
          opts.kernel === undefined
            ? runElf(bytes, run)
            : runFirmware(
                bytes,
                {
                  kernel: readInputFile(opts.kernel, 'kernel', ELF_FILE_MAX_BYTES),
                  initrd: opts.initrd === undefined ? undefined : readInputFile(opts.initrd, 'initrd', INITRD_FILE_MAX_BYTES),
                  bootargs: opts.append,
                },
                run,
              );
      } catch (error) {
        if (error instanceof ElfError || error instanceof BootError || error instanceof EngineError || error instanceof InputFileError) {
          process.stderr.write(`virtlab elf: ${file}: ${error.name}: ${error.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw error;
      }
      process.stderr.write(`virtlab elf: ${result.summary}\n`);
      process.exitCode = result.status;
    });
}
