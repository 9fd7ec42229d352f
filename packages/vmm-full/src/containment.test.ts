// Resource control with a hostile guest kernel (assembled here): whatever it tries from virtual
// S-mode — programming PMP or mstatus, reaching physical memory outside its slice directly or
// through its own page tables — it gets the exception real S-mode would get, and host memory
// outside its slice stays as it was.
import { describe, expect, it } from 'vitest';
import { CAUSE, assemble } from '@virtlab/cpu-core';
import { createVirtBoard, runMachine } from '@virtlab/hw-model';
import { VmBootError, resolveCostModel } from '@virtlab/lab-kit';
import { Hypervisor, HypervisorError } from './hypervisor.js';
import { withVmmEvents } from './vmm-events.js';
import { tinyElf } from './test-support.js';

const GUEST_RAM = 8 << 20; // guest-physical 0x8000_0000..0x8080_0000
const POOL_PAGES = 64;
const OTHER = 1 << 20; // host RAM after the VM's slice: "another VM's memory"
const ENTRY = 0x8040_0000;

// The handler shifts each trap's scause into s0 (4 bits a trap) and skips the instruction.
const HOSTILE = `
  li t0, handler
  csrw stvec, t0
  li t1, -1
  csrw pmpaddr0, t1
  li t1, 0x1888
  csrw mstatus, t1
  li t1, 0x80800000
  lw t2, 0(t1)
  li t1, 0x80800000
  li t2, 0x5a5a5a5a
  sw t2, 16(t1)
  li t1, 0x70000000
  sw t2, 0(t1)
  li t1, 0x80401000
  li t2, 0x202000cf
  sw t2, 0(t1)
  li t1, 0x80401804
  li t2, 0x201000cf
  sw t2, 0(t1)
  li t1, 0x80080401
  csrw satp, t1
  li t1, 0x00000040
  lw t2, 0(t1)
  csrw satp, zero
  li a7, 0x53525354
  li a6, 0
  li a0, 0
  li a1, 0
  ecall
handler:
  csrr t3, scause
  slli s0, s0, 4
  or s0, s0, t3
  csrr t3, sepc
  addi t3, t3, 4
  csrw sepc, t3
  sret
`;

describe('a hostile guest kernel', () => {
  it("gets real S-mode's exceptions and touches nothing outside its slice", () => {
    const cost = withVmmEvents(resolveCostModel('default'));
    const board = createVirtBoard({ ramSize: POOL_PAGES * 4096 + GUEST_RAM + OTHER, cost });
    const otherBase = board.bus.ramBase + POOL_PAGES * 4096 + GUEST_RAM;
    board.bus.ram.fill(0xc3, otherBase - board.bus.ramBase);
    const { words } = assemble(HOSTILE, ENTRY);
    const hv = new Hypervisor(board, { vm: { kernel: tinyElf(words, ENTRY), ramSize: GUEST_RAM }, shadowPoolPages: POOL_PAGES });
    const r = runMachine(board, hv.engine, { maxInstructions: 100_000 });
    expect(r.exit).toMatchObject({ kind: 'poweroff', exitCode: 0 });
    // pmpaddr0 and mstatus from S: illegal instruction (priv 2.1); a load and two stores outside its
    // RAM (one just past it, one below it): access faults (priv 3.7.1 / the bus); through its own
    // page table (va 0x0 megapage → guest-physical 0x8080_0000): a load access fault again.
    expect(hv.hart.regs[8]! >>> 0).toBe(
      (((((CAUSE.illegalInstruction * 16 + CAUSE.illegalInstruction) * 16 + CAUSE.loadAccess) * 16 + CAUSE.storeAccess) * 16 + CAUSE.storeAccess) * 16 + CAUSE.loadAccess) >>> 0,
    );
    expect(board.bus.ram.subarray(otherBase - board.bus.ramBase).every((b) => b === 0xc3)).toBe(true);
    expect(hv.strayTraps).toBe(0);
    expect(hv.counters()['vmm.exit.reflected_exception']).toBe(6);
  });

  it('that faults in its own trap handler for ever stops as a fault loop, as on the board, and the host carries on', () => {
    const cost = withVmmEvents(resolveCostModel('default'));
    const board = createVirtBoard({ ramSize: POOL_PAGES * 4096 + GUEST_RAM, cost });
    const { words } = assemble('li t0, 0x10\ncsrw stvec, t0\nli t1, 0x10\njalr zero, 0(t1)\n', ENTRY);
    const hv = new Hypervisor(board, { vm: { kernel: tinyElf(words, ENTRY), ramSize: GUEST_RAM }, shadowPoolPages: POOL_PAGES });
    const r = runMachine(board, hv.engine, { maxInstructions: 10_000 });
    // The hart's rule (cpu-core traps.ts): the same exception three times running at the handler's own address.
    expect(r.exit).toMatchObject({ kind: 'fault-loop', pc: 0x10 });
    expect(hv.guests[0]!.exits.faultLoop?.cause).toBe(CAUSE.fetchAccess);
    expect(hv.vm.vcpu.scause).toBe(CAUSE.fetchAccess);
    expect(hv.counters()['vmm.exit.reflected_exception']).toBe(4);
  });

  it('whose image does not fit its RAM, or a VM too big for the board, is refused with the reason', () => {
    const cost = withVmmEvents(resolveCostModel('default'));
    const board = createVirtBoard({ ramSize: POOL_PAGES * 4096 + GUEST_RAM, cost });
    const { words } = assemble('nop\n', 0x8090_0000);
    expect(() => new Hypervisor(board, { vm: { kernel: tinyElf(words, 0x8090_0000), ramSize: GUEST_RAM }, shadowPoolPages: POOL_PAGES }))
      .toThrow(VmBootError);
    expect(() => new Hypervisor(board, { vm: { kernel: tinyElf(words, 0x8090_0000), ramSize: GUEST_RAM }, shadowPoolPages: POOL_PAGES }))
      .toThrow(/segment 0 at 0x80900000\+0x4 is outside the VM's RAM 0x80000000\.\.0x80800000/);
    expect(() => new Hypervisor(board, { vm: { kernel: tinyElf(words, 0x8090_0000), ramSize: 2 * GUEST_RAM }, shadowPoolPages: POOL_PAGES }))
      .toThrow(HypervisorError);
  });
});
