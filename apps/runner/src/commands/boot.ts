import type { Command } from 'commander';
import { createEngine, wasmRamFor } from '@virtlab/emulator';
import { DEFAULT_RAM_SIZE, describeExit, runMachine, startHart } from '@virtlab/hw-model';
import { GUEST_KERNEL, kernelBoard, readInputFile } from '@virtlab/lab-kit';
import { DISK_FILE_MAX_BYTES } from './elf.js';
import { addLabFlags, parseCount, type LabFlags } from './options.js';

/** Ctrl-A, then X: quit, as with QEMU's -nographic. */
const CTRL_A = 0x01;
/** Instructions per slice; the event loop gets a turn between slices so typed keys arrive. */
const SLICE = 2_000_000;

export interface BootFlags extends LabFlags {
  append: string;
  disk?: string;
  maxInstructions?: number;
  /** Stop as soon as the console output ends with this text (a shell prompt, say): exit status 0. */
  until?: string;
  /** Print where the time went (process start to board ready, board ready to the end) to stderr. */
  timing?: boolean;
}

/** What `--timing` reports, as one JSON line on stderr after `[virtlab boot] timing: `. */
export interface BootTiming {
  readonly engine: string;
  /** Milliseconds from process start (performance.timeOrigin) to the board built, images loaded, hart ready. */
  readonly readyMs: number;
  /** Milliseconds from then to the end of the run (the `--until` text, power-off, budget). */
  readonly guestMs: number;
  /** Steps (instructions and trap entries) the guest ran, in whole run slices. */
  readonly instructions: number;
  readonly labCycles: number;
  /** Guest instructions per microsecond of `guestMs`. */
  readonly mips: number;
}

/**
 * Boots firmware + guest kernel + initrd on the lab board with the host terminal as the console.
 * Resolves with the exit status: the guest's own when it powers off.
 */
export async function bootInteractive(flags: BootFlags, stdin: NodeJS.ReadStream = process.stdin): Promise<number> {
  const kind = flags.engine ?? 'interp';
  // The translator's wasm back end wants guest RAM in a WebAssembly.Memory (bare-metal code, the firmware).
  const wasmRam = wasmRamFor(kind, DEFAULT_RAM_SIZE);
  const until = flags.until === undefined ? undefined : Buffer.from(flags.until, 'utf8');
  let tail = Buffer.alloc(0);
  let reached = false;
  const { board, state } = await kernelBoard(GUEST_KERNEL, {
    bootargs: flags.append,
    ...(flags.costModel === undefined ? {} : { cost: flags.costModel.model }),
    ...(wasmRam === undefined ? {} : { ramBuffer: wasmRam.buffer }),
    onUartOutput: (byte) => {
      process.stdout.write(Buffer.of(byte));
      if (until === undefined || until.length === 0) return;
      tail = Buffer.concat([tail.length < until.length ? tail : tail.subarray(1), Buffer.of(byte)]);
      if (tail.equals(until)) reached = true;
    },
    ...(flags.disk === undefined ? {} : { disk: readInputFile(flags.disk, 'disk image', DISK_FILE_MAX_BYTES) }),
  });
  const hart = createEngine(kind, board, { ...(flags.profile === undefined ? {} : { profile: flags.profile }), ...(wasmRam === undefined ? {} : { wasmRam }) });
  startHart(hart, state);
  const ready = performance.now();
  let steps = 0;

  let quit = false;
  let ctrlA = false;
  const raw = stdin.isTTY;
  if (raw) stdin.setRawMode(true);
  const onData = (chunk: Buffer) => {
    for (const byte of chunk) {
      if (ctrlA && (byte === 0x78 || byte === 0x58)) quit = true;
      // A terminal sends CR for Enter; a pipe sends LF: the guest's shell reads CR as a serial line does.
      else if (byte !== CTRL_A) board.uart.pushInput(Uint8Array.of(byte === 0x0a ? 0x0d : byte));
      ctrlA = byte === CTRL_A;
    }
  };
  stdin.on('data', onData);
  let budget = flags.maxInstructions ?? Infinity;
  try {
    return await new Promise<number>((resolve) => {
      const finish = (line: string, code: number) => {
        const guestMs = performance.now() - ready;
        process.stderr.write(`\n[virtlab boot] ${line}\n`);
        if (flags.timing === true) {
          const timing: BootTiming = { engine: kind, readyMs: ready, guestMs, instructions: steps, labCycles: board.clock.cycles, mips: steps / guestMs / 1000 };
          process.stderr.write(`[virtlab boot] timing: ${JSON.stringify(timing)}\n`);
        }
        resolve(code);
      };
      const step = () => {
        if (quit) return finish('stopped with Ctrl-A X', 0);
        const slice = Math.min(SLICE, budget);
        // runMachine's own slices (65536 steps) whatever --until says, so the guest runs the same.
        const run = runMachine(board, hart, { maxInstructions: slice, onSlice: () => !reached });
        budget -= run.instructions;
        steps += run.exit.kind === 'budget' ? run.exit.steps : run.instructions;
        if (reached) return finish(`console output reached ${JSON.stringify(flags.until)} after ${steps} steps`, 0);
        if (run.exit.kind === 'budget' && budget > 0) return void setImmediate(step);
        return finish(describeExit(run.exit), run.exit.kind === 'poweroff' ? run.exit.exitCode : 1);
      };
      step();
    });
  } finally {
    stdin.off('data', onData);
    if (raw) stdin.setRawMode(false);
    stdin.pause();
  }
}

export function registerBoot(program: Command): void {
  const command = program
    .command('boot')
    .description('boot firmware + guest kernel + initrd on the lab board with this terminal as the console (Ctrl-A X quits)')
    .option('--append <args>', 'kernel command line, e.g. init=/bin/osbench (without init=, a shell starts)', 'console=ttyS0')
    .option('--disk <file>', 'a raw disk image for virtio-blk (/dev/vda in the guest)')
    .option('--max-instructions <n>', 'stop after this many instructions', parseCount)
    .option('--until <text>', 'stop (exit status 0) as soon as the console output ends with <text>, e.g. the shell prompt "$ "')
    .option('--timing', 'print to stderr how long the process took to get the board ready and the guest to run (a JSON line)');
  addLabFlags(command, 'interp (default) or dbt')
    .action(async (flags: BootFlags) => {
      process.exitCode = await bootInteractive(flags);
    });
}
