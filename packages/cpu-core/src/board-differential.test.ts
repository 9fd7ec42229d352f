// This hart on hw-model's virt board, running hw-model's committed test programs: the UART output
// must equal what QEMU printed for the same images (the `.qemu-output` files committed beside
// them). Programs that need input, a disk or another boot protocol are left to hw-model's tests.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootBareElf, createVirtBoard, runMachine, startHart } from '@virtlab/hw-model';
import { describe, expect, it } from 'vitest';
import { Hart } from './hart.js';

const images = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'hw-model', 'test-programs', 'images');
const PROGRAMS = ['hello', 'exit-code', 'mmio-garbage', 'paging', 'privilege', 'timer', 'wild-jump'];

describe('on the virt board, against QEMU', () => {
  for (const name of PROGRAMS) {
    const elf = join(images, `${name}.elf`);
    const expected = join(images, `${name}.qemu-output`);
    it.skipIf(!existsSync(elf) || !existsSync(expected))(`${name} prints what QEMU printed`, () => {
      const board = createVirtBoard();
      const boot = bootBareElf(board, readFileSync(elf));
      const hart = new Hart(board);
      startHart(hart, boot.state);
      const r = runMachine(board, hart, { maxInstructions: 20_000_000 });
      expect(r.exit.kind).toBe('poweroff');
      expect(Buffer.from(r.output).toString('latin1')).toBe(readFileSync(expected, 'latin1'));
    });
  }

  it.skipIf(!existsSync(join(images, 'trap-loop.elf')))('reports a guest whose trap handler faults forever, and carries on', () => {
    const board = createVirtBoard();
    const boot = bootBareElf(board, readFileSync(join(images, 'trap-loop.elf')));
    const hart = new Hart(board);
    startHart(hart, boot.state);
    const r = runMachine(board, hart, { maxInstructions: 1_000_000 });
    expect(r.exit.kind).toBe('fault-loop');
  });
});
