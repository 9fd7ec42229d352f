import type { Command } from 'commander';
import { createEngine } from '@virtlab/emulator';
import { describeExit, runMachine, startHart } from '@virtlab/hw-model';
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
}

/**
 * Boots firmware + guest kernel + initrd on the lab board with the host terminal as the console.
 * Resolves with the exit status: the guest's own when it powers off.
 */
export async function bootInteractive(flags: BootFlags, stdin: NodeJS.ReadStream = process.stdin): Promise<number> {
  const { board, state } = await kernelBoard(GUEST_KERNEL, {
    bootargs: flags.append,
    ...(flags.costModel === undefined ? {} : { cost: flags.costModel.model }),
    onUartOutput: (byte) => process.stdout.write(Buffer.of(byte)),
    ...(flags.disk === undefined ? {} : { disk: readInputFile(flags.disk, 'disk image', DISK_FILE_MAX_BYTES) }),
  });
  const hart = createEngine(flags.engine ?? 'interp', board, flags.profile === undefined ? {} : { profile: flags.profile });
  startHart(hart, state);

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
        process.stderr.write(`\n[virtlab boot] ${line}\n`);
        resolve(code);
      };
      const step = () => {
        if (quit) return finish('stopped with Ctrl-A X', 0);
        const slice = Math.min(SLICE, budget);
        const run = runMachine(board, hart, { maxInstructions: slice });
        budget -= run.instructions;
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
    .option('--max-instructions <n>', 'stop after this many instructions', parseCount);
  addLabFlags(command, 'interp (default) or dbt')
    .action(async (flags: BootFlags) => {
      process.exitCode = await bootInteractive(flags);
    });
}
