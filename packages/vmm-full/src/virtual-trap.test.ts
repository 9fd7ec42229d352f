// Virtual trap entry, sret and interrupt selection against priv 3.1.6.1, 3.1.9, 3.3.2, 4.1.1-4.1.3.
import { describe, expect, it } from 'vitest';
import { CAUSE, CSR, IRQ, MSTATUS } from '@virtlab/cpu-core';
import { enterVirtualTrap, pendingVirtualInterrupt, virtualSret, wfiWakes } from './virtual-trap.js';
import { testVcpu } from './test-support.js';

describe('virtual trap entry', () => {
  it('an exception from virtual U: scause, sepc, stval; SPIE = SIE, SIE = 0, SPP = 0; to stvec base', () => {
    const v = testVcpu();
    v.priv = 0;
    v.stvec = 0x80401000 | 1; // vectored: exceptions still go to the base
    v.sstatus = MSTATUS.SIE | MSTATUS.SPP;
    const pc = enterVirtualTrap(v, CAUSE.loadPageFault, false, 0x1234, 0x10074);
    expect(pc >>> 0).toBe(0x80401000);
    expect([v.scause, v.sepc, v.stval, v.priv]).toEqual([13, 0x10074, 0x1234, 1]);
    expect(v.sstatus).toBe(MSTATUS.SPIE);
  });

  it('an interrupt from virtual S with vectored stvec goes to base + 4 x cause; SPP = 1, scause has bit 31', () => {
    const v = testVcpu();
    v.stvec = 0x80401001;
    v.sstatus = MSTATUS.SIE;
    const pc = enterVirtualTrap(v, IRQ.STI, true, 0, 0x80400100);
    expect(pc >>> 0).toBe(0x80401000 + 4 * 5);
    expect(v.scause >>> 0).toBe(0x80000005);
    expect(v.sstatus).toBe(MSTATUS.SPIE | MSTATUS.SPP);
    expect(v.readCsr(CSR.sepc)! >>> 0).toBe(0x80400100);
  });

  it('SIE clear at entry leaves SPIE clear (the previous enable is what SPIE keeps)', () => {
    const v = testVcpu();
    v.sstatus = MSTATUS.SPIE;
    enterVirtualTrap(v, CAUSE.illegalInstruction, false, 0x10500073, 0x80400000);
    expect(v.sstatus).toBe(MSTATUS.SPP);
  });
});

describe('virtual sret (priv 3.3.2)', () => {
  it('returns to SPP with SIE = SPIE, then SPIE = 1 and SPP = U, at sepc', () => {
    const v = testVcpu();
    v.sepc = 0x10000;
    v.sstatus = MSTATUS.SPIE; // SPP = 0: back to U
    expect(virtualSret(v)).toBe(0x10000);
    expect([v.priv, v.sstatus]).toEqual([0, MSTATUS.SIE | MSTATUS.SPIE]);
    v.sstatus = MSTATUS.SPP | MSTATUS.SIE; // SPIE = 0: SIE becomes 0; back to S
    v.priv = 1;
    virtualSret(v);
    expect([v.priv, v.sstatus]).toEqual([1, MSTATUS.SPIE]);
  });

  it('undoes a trap entry exactly', () => {
    const v = testVcpu();
    v.priv = 0;
    v.sstatus = MSTATUS.SIE | MSTATUS.SUM;
    enterVirtualTrap(v, CAUSE.ecallU, false, 0, 0x10010);
    v.sepc += 4;
    expect(virtualSret(v)).toBe(0x10014);
    expect([v.priv, v.sstatus]).toEqual([0, MSTATUS.SIE | MSTATUS.SPIE | MSTATUS.SUM]);
  });
});

describe('virtual interrupts (priv 3.1.9, 4.1.3)', () => {
  it('in virtual S, pending and enabled interrupts wait for sstatus.SIE', () => {
    const v = testVcpu();
    v.sie = 1 << IRQ.STI;
    v.setLine(IRQ.STI, true);
    expect(pendingVirtualInterrupt(v)).toBe(-1);
    v.sstatus = MSTATUS.SIE;
    expect(pendingVirtualInterrupt(v)).toBe(IRQ.STI);
  });

  it('in virtual U they are taken whatever SIE says; sie masks them', () => {
    const v = testVcpu();
    v.priv = 0;
    v.setLine(IRQ.STI, true);
    expect(pendingVirtualInterrupt(v)).toBe(-1);
    v.sie = 1 << IRQ.STI;
    expect(pendingVirtualInterrupt(v)).toBe(IRQ.STI);
  });

  it('priority: SEI over SSI over STI', () => {
    const v = testVcpu();
    v.priv = 0;
    v.sie = 0x222;
    v.setLine(IRQ.STI, true);
    v.sipSoft = 1 << IRQ.SSI;
    expect(pendingVirtualInterrupt(v)).toBe(IRQ.SSI);
    v.setLine(IRQ.SEI, true);
    expect(pendingVirtualInterrupt(v)).toBe(IRQ.SEI);
  });

  it('WFI wakes on pending & enabled in sie even with SIE clear (priv 3.3.3)', () => {
    const v = testVcpu();
    v.setLine(IRQ.STI, true);
    expect(wfiWakes(v)).toBe(false);
    v.sie = 1 << IRQ.STI;
    expect(wfiWakes(v)).toBe(true);
  });
});
