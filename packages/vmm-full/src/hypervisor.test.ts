// The hypervisor end to end: the project firmware's own SBI test payloads and the unmodified guest
// kernel, run deprivileged on the lab board, give what they give on the board with the firmware.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Hart } from '@virtlab/cpu-core';
import { DEFAULT_RAM_SIZE, bootQemu, createVirtBoard, runMachine, startHart } from '@virtlab/hw-model';
import type { MachineRunResult } from '@virtlab/hw-model';
import { PAYLOAD_EXIT_STATUS, firmwareImage, firmwarePayloads, referencePath } from '@virtlab/guest';
import { GUEST_KERNEL, kernelBoard, resolveCostModel, runOnBoard } from '@virtlab/lab-kit';
import { Hypervisor } from './hypervisor.js';
import { withVmmEvents } from './vmm-events.js';

const cost = withVmmEvents(resolveCostModel('default'));
const POOL = 4 << 20;

async function underHypervisor(kernel: string, bootargs?: string, budget = 50_000_000) {
  const board = createVirtBoard({ ramSize: DEFAULT_RAM_SIZE + POOL, cost });
  const hv = new Hypervisor(board, {
    vm: { kernel: await readFile(kernel), ramSize: DEFAULT_RAM_SIZE, ...(bootargs === undefined ? {} : { bootargs, initrd: await readFile(GUEST_KERNEL.initrd) }) },
  });
  const result = runMachine(board, hv.engine, { maxInstructions: budget });
  return { hv, board, result, output: board.uart.outputText() };
}

async function onBoardWithFirmware(kernel: string, budget = 50_000_000): Promise<{ result: MachineRunResult; output: string }> {
  const board = createVirtBoard({ cost });
  const { state } = bootQemu(board, { firmware: await readFile(firmwareImage), kernel: await readFile(kernel) });
  const hart = new Hart(board);
  startHart(hart, state);
  const result = runMachine(board, hart, { maxInstructions: budget });
  return { result, output: board.uart.outputText() };
}

describe('the firmware\'s SBI test payloads in a VM (virtual SBI, CSRs, traps, timer)', () => {
  const cases = [
    ['probe', firmwarePayloads.probe, { kind: 'poweroff', exitCode: 0 }],
    ['exit', firmwarePayloads.exit, { kind: 'poweroff', exitCode: PAYLOAD_EXIT_STATUS }],
    ['legacy shutdown', firmwarePayloads.legacyShutdown, { kind: 'poweroff', exitCode: 0 }],
    ['reboot', firmwarePayloads.reboot, { kind: 'reset' }],
  ] as const;
  for (const [name, payload, exit] of cases) {
    it(`${name}: the same output as on the board with the firmware, and the same end`, async () => {
      const vm = await underHypervisor(payload);
      const native = await onBoardWithFirmware(payload);
      expect(vm.output).toBe(native.output);
      expect(vm.result.exit).toMatchObject(exit);
      expect(native.result.exit).toMatchObject(exit);
      // What the payload checks, from the specs: a trapped M-mode CSR access reaches S as cause 2,
      // one timer interrupt after the deadline, STIP cleared by set_timer.
      expect(vm.output).toContain('illegal instruction scause: 2\ntimer interrupts: 1\ntimer fired after deadline: 1\nstip pending after re-arm: 0\n');
      expect(vm.hv.strayTraps).toBe(0);
    });
  }

  it('counts the exits: SBI calls, CSR emulation, the reflected illegal instruction, the timer, shadow fills', async () => {
    const { hv, result } = await underHypervisor(firmwarePayloads.probe);
    const c = hv.counters();
    expect(c['vmm.exit.sbi']).toBeGreaterThan(30);
    expect(c['vmm.exit.csr']).toBeGreaterThan(5);
    expect(c['vmm.exit.reflected_exception']).toBe(1); // csrr mscratch from S
    expect(c['vmm.exit.timer']).toBeGreaterThanOrEqual(1);
    expect(c['vmm.interrupts']).toBe(1);
    expect(c['vmm.fault.hidden']).toBe(c['vmm.exit.shadow_fill']! + c['vmm.exit.mmio']! + c['vmm.exit.table_write']!);
    expect(result.counters['event.vm.exit']).toBe(c['vmm.exits']);
    expect(result.counters['event.vmm.sbi']).toBe(c['vmm.exit.sbi']);
  });
});

describe('the unmodified guest kernel in a VM', () => {
  it('boots from its ELF with a device tree describing the VM and runs a workload to its reference output', async () => {
    const { hv, result, output } = await underHypervisor(GUEST_KERNEL.kernel, 'init=/bin/sieve,test');
    expect(output).toBe(await readFile(referencePath('sieve', 'test'), 'utf8'));
    expect(result.exit).toEqual({ kind: 'poweroff', exitCode: 0, via: 'finisher' });
    const c = hv.counters();
    expect(hv.strayTraps).toBe(0);
    // The kernel's privileged instructions all trapped and were emulated, its processes' page faults
    // were reflected (demand paging), its own stores to page tables were caught.
    expect(c['vmm.exit.sret']).toBeGreaterThan(0);
    expect(c['vmm.exit.sfence']).toBeGreaterThan(0);
    expect(c['vmm.exit.table_write']).toBeGreaterThan(0);
    expect(c['vmm.fault.reflected']).toBeGreaterThan(0);
    expect(c['vmm.exit.mmio']).toBeGreaterThan(0); // the virtio-mmio probe of empty slots
    expect(c['vmm.exit.syscall']).toBeGreaterThan(0); // the workload's write and exit, reflected to its kernel
  });

  it('is deterministic: the same lab cycles and counters twice', async () => {
    const a = await underHypervisor(GUEST_KERNEL.kernel, 'init=/bin/sieve,test');
    const b = await underHypervisor(GUEST_KERNEL.kernel, 'init=/bin/sieve,test');
    expect(b.result.labCycles).toBe(a.result.labCycles);
    expect(b.result.counters).toEqual(a.result.counters);
    expect(b.hv.counters()).toEqual(a.hv.counters());
  });

  it('runs osbench (system calls, fork, execve, pipes, page faults, mmap, files) with native\'s output, and costs more per operation', async () => {
    const bootargs = 'init=/bin/osbench,test';
    const vm = await underHypervisor(GUEST_KERNEL.kernel, bootargs, 2_000_000_000);
    const { board, state } = await kernelBoard(GUEST_KERNEL, { bootargs, cost });
    const native = await runOnBoard(board, state, { maxInstructions: 2_000_000_000 });
    const plain = (out: string) => out.split('\n').filter((l) => !l.startsWith('@metric ')).join('\n');
    expect(plain(vm.output)).toBe(plain(native.output));
    expect(vm.output).toContain('osbench: done\n');
    expect(vm.result.exit).toMatchObject({ kind: 'poweroff', exitCode: 0 });
    const metric = (out: string, item: string) => Number(/@metric osbench\.(\S+) ([\d.]+)/g.exec(out.split('\n').find((l) => l.includes(`osbench.${item} `)) ?? '')?.[2]);
    // A null system call is an ecall reflected into the guest kernel plus its trap vector's CSR exits.
    expect(metric(vm.output, 'null_syscall')).toBeGreaterThan(3 * metric(native.output, 'null_syscall'));
    expect(vm.hv.counters()['vmm.exit.table_write']).toBeGreaterThan(100);
  }, 120_000);
});
