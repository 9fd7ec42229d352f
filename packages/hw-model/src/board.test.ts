import { describe, expect, it } from 'vitest';
import { createVirtBoard } from './board.js';
import { BusConfigError, BusError } from './bus.js';
import { CostModelError, costModel } from './cost-model.js';
import { IRQ_MEIP, IRQ_MSIP, IRQ_MTIP, IRQ_SEIP } from './platform.js';

// Addresses from QEMU's virt memory map (ARCHITECTURE.md, hw/riscv/virt.c).
const UART = 0x1000_0000, CLINT = 0x0200_0000, PLIC = 0x0c00_0000, TEST = 0x0010_0000;

describe('the virt board', () => {
  it('has 128 MiB of RAM at 0x8000_0000 by default and nothing at 0x0', () => {
    const b = createVirtBoard();
    expect(b.bus.ramBase).toBe(0x8000_0000);
    expect(b.bus.ramSize).toBe(128 * 1024 * 1024);
    expect(() => b.bus.read(0, 4)).toThrow(BusError);
    expect(() => b.bus.read(0x8800_0000, 4)).toThrow(BusError);
  });

  it('refuses a RAM size that is not whole pages or passes 4 GiB', () => {
    expect(() => createVirtBoard({ ramSize: 1000 })).toThrow(BusConfigError);
    expect(() => createVirtBoard({ ramSize: 3 * 2 ** 30 })).toThrow(/at most 2 GiB/);
    expect(() => createVirtBoard({ ramSize: Number.NaN })).toThrow(BusConfigError);
  });

  it('answers narrow accesses to CLINT, PLIC and finisher with a bus error, as QEMU does', () => {
    const b = createVirtBoard();
    expect(() => b.bus.write(CLINT, 1, 1)).toThrow(BusError);
    expect(() => b.bus.read(PLIC + 4, 2)).toThrow(BusError);
    expect(() => b.bus.write(TEST, 0x55, 2)).toThrow(BusError);
    expect(b.halt.halted).toBe(false);
    expect(b.bus.read(UART + 5, 2)).toBe(0x60); // the UART takes any width...
    expect(() => b.bus.read(UART + 5, 4)).toThrow(BusError); // ...inside its 8 bytes, as in QEMU
    expect(() => b.bus.read(CLINT + 0xc000, 4)).toThrow(BusError); // past the mtimer window
  });

  it('prints UART bytes and counts MMIO accesses per device', () => {
    const seen: number[] = [];
    const b = createVirtBoard({ onUartOutput: (c) => seen.push(c) });
    for (const c of 'ok') b.bus.write(UART, c.charCodeAt(0), 1);
    b.bus.read(UART + 5, 1);
    expect(b.uart.outputText()).toBe('ok');
    expect(seen).toEqual([0x6f, 0x6b]);
    expect(b.mmioCounters()).toMatchObject({ uart0: 3, clint: 0, plic: 0 });
  });

  it('routes the UART interrupt (source 10) through PLIC context 0 to MEIP and context 1 to SEIP', () => {
    const b = createVirtBoard({ uartInput: 'z' });
    b.bus.write(UART + 1, 1, 1); // IER: received data
    b.bus.write(PLIC + 4 * 10, 1, 4); // priority
    expect(b.interruptLevels(0)).toBe(0);
    b.bus.write(PLIC + 0x2000 + 0x80, 1 << 10, 4); // enable in context 1
    expect(b.interruptLevels(0)).toBe(IRQ_SEIP);
    b.bus.write(PLIC + 0x2000, 1 << 10, 4); // and in context 0
    expect(b.interruptLevels(0)).toBe(IRQ_SEIP | IRQ_MEIP);
    expect(b.bus.read(PLIC + 0x200004, 4)).toBe(10); // claim in context 0
    expect(b.interruptLevels(0)).toBe(0);
    b.bus.read(UART, 1); // read the byte: the line drops
    b.bus.write(PLIC + 0x200004, 10, 4); // complete
    expect(b.interruptLevels(0)).toBe(0);
    expect(b.interruptLevels(1)).toBe(0); // no second hart
  });

  it('raises MSIP from the CLINT and MTIP when the lab clock reaches mtimecmp', () => {
    const b = createVirtBoard({ cyclesPerTick: 4 });
    b.bus.write(CLINT, 1, 4);
    expect(b.interruptLevels(0)).toBe(IRQ_MSIP);
    b.bus.write(CLINT, 0, 4);
    b.bus.write(CLINT + 0x4004, 0, 4);
    b.bus.write(CLINT + 0x4000, 25, 4);
    expect(b.nextEventCycle(0)).toBe(100);
    b.clock.cycles = 99;
    expect(b.interruptLevels(0)).toBe(0);
    b.clock.cycles = 100;
    expect(b.interruptLevels(0)).toBe(IRQ_MTIP);
    expect(b.bus.read(CLINT + 0xbff8, 4)).toBe(25);
  });

  it('charges strategy events at their price and counts them; an unpriced event is an error', () => {
    const b = createVirtBoard({ cost: costModel({ events: { 'vm.exit': 150 } }) });
    b.clock.cycles = 10;
    b.chargeEvent('vm.exit');
    b.chargeEvent('vm.exit', 2);
    expect(b.clock.cycles).toBe(10 + 3 * 150);
    expect(b.eventCounts.get('vm.exit')).toBe(3);
    expect(() => b.chargeEvent('hypercall')).toThrow(CostModelError);
    expect(() => b.chargeEvent('hypercall')).toThrow(/event 'hypercall' has no price/);
  });

  it('halts through the finisher', () => {
    const b = createVirtBoard();
    b.bus.write(TEST, (3 << 16) | 0x3333, 4);
    expect(b.halt.reason).toEqual({ kind: 'poweroff', exitCode: 3 });
  });

  it('puts virtio-blk in the first slot when given a disk, and empty slots elsewhere', () => {
    const b = createVirtBoard({ disk: new Uint8Array(4096) });
    expect(b.bus.read(0x1000_1008, 4)).toBe(2);
    expect(b.bus.read(0x1000_2008, 4)).toBe(0);
    expect(b.bus.read(0x1000_8000, 4)).toBe(0x74726976);
    expect(createVirtBoard().bus.read(0x1000_1008, 4)).toBe(0);
  });

  it('survives garbage written to every register of every device, at every width', () => {
    const b = createVirtBoard({ disk: new Uint8Array(8192), uartInput: 'abc' });
    const values = [0xffffffff, 0, 0x80000000, 0x12345678, 0x5a5a5a5a];
    let accesses = 0;
    for (const { base, device } of b.bus.devices()) {
      if (device.name === 'finisher') continue; // a write there ends the run by design
      const step = device.size > 0x10000 ? 0x1fc : 4;
      for (let off = 0; off < device.size; off += step) {
        for (const v of values) {
          for (const w of [1, 2, 4] as const) {
            if (w < (device.minAccessWidth ?? 1)) continue;
            b.bus.write(base + off, v, w);
            b.bus.read(base + off, w);
            accesses += 2;
          }
        }
      }
    }
    expect(accesses).toBeGreaterThan(100_000);
    expect(b.halt.halted).toBe(false);
    // The board still works afterwards: reset the UART's line control and print.
    b.bus.write(UART + 3, 3, 1);
    b.bus.write(UART + 4, 0, 1);
    b.bus.write(UART, 0x21, 1);
    expect(b.uart.output.at(-1)).toBe(0x21);
  });
});
