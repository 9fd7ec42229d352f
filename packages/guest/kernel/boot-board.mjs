// Boots firmware + kernel + initrd on the lab board with this terminal as the console: the
// shell is usable interactively; Ctrl-A X quits (like QEMU's -nographic). The core of what
// `pnpm virtlab boot` does (issue 5, "Runner").
// Usage (from packages/guest):
//   node --conditions=@virtlab/source --import tsx kernel/boot-board.mjs [--append "init=/bin/osbench"] [--disk FILE]
// Images: images/firmware/fw.elf and images/kernel/{kernel.elf,initrd.cpio} (VIRTLAB_FIRMWARE and
// VIRTLAB_KERNEL_IMAGES override them, as in the tests).
import { readFile } from 'node:fs/promises';
import { Hart } from '@virtlab/cpu-core';
import { bootQemu, createVirtBoard, describeExit, runMachine, startHart } from '@virtlab/hw-model';
import { firmwareElf, initrdImage, kernelImage, missingImages } from '../src/kernel-test-support.ts';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
if (missingImages.length) {
  console.error(`missing ${missingImages.join(', ')}: run pnpm guests`);
  process.exit(1);
}
const diskPath = option('--disk');
const board = createVirtBoard({
  bootargs: option('--append') ?? 'console=ttyS0',
  onUartOutput: (byte) => process.stdout.write(Buffer.of(byte)),
  ...(diskPath ? { disk: new Uint8Array(await readFile(diskPath)) } : {}),
});
const { state } = bootQemu(board, {
  firmware: await readFile(firmwareElf),
  kernel: await readFile(kernelImage),
  initrd: await readFile(initrdImage),
});
const hart = new Hart(board);
startHart(hart, state);

// Keys go to the guest's UART as they are typed; Ctrl-A X ends the run.
let quit = false;
let ctrlA = false;
if (process.stdin.isTTY) process.stdin.setRawMode(true);
process.stdin.on('data', (chunk) => {
  for (const byte of chunk) {
    if (ctrlA && (byte === 0x78 || byte === 0x58)) quit = true;
    else if (byte !== 0x01) board.uart.pushInput(Uint8Array.of(byte === 0x0a ? 0x0d : byte));
    ctrlA = byte === 0x01;
  }
});

// Run in slices and give the event loop a turn between them, so typed keys arrive.
const SLICE = 2_000_000;
const finish = (line, code) => {
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  process.stderr.write(`\n[board] ${line}\n`);
  process.exit(code);
};
const step = () => {
  if (quit) finish('stopped with Ctrl-A X', 0);
  const run = runMachine(board, hart, { maxInstructions: SLICE });
  if (run.exit.kind === 'budget') setImmediate(step);
  else finish(describeExit(run.exit), run.exit.kind === 'poweroff' ? run.exit.exitCode : 1);
};
step();
