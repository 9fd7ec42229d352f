// Emulated Zicsr instructions (unpriv chapter 9) with the access rules of priv 2.1.
import { describe, expect, it } from 'vitest';
import { CSR, encode } from '@virtlab/cpu-core';
import { emulateCsrInstruction, isCsrInstruction } from './csr-emulation.js';
import { Registers, testVcpu } from './test-support.js';

const A0 = 10;
const A1 = 11;

describe('CSR instruction emulation', () => {
  it('csrrw swaps: old value to rd, rs1 to the CSR, even when rd = rs1', () => {
    const v = testVcpu();
    const r = new Registers();
    v.sscratch = 0x1234;
    r.x[A0] = 0x5678;
    const out = emulateCsrInstruction(v, r, encode('csrrw a0, sscratch, a0'));
    expect(out).toEqual({ ok: true, csr: CSR.sscratch, wrote: true, old: 0x1234 });
    expect([r.x[A0], v.sscratch]).toEqual([0x1234, 0x5678]);
  });

  it('csrrs and csrrc set and clear bits through the WARL mask; the immediate forms use the 5-bit uimm', () => {
    const v = testVcpu();
    const r = new Registers();
    r.x[A1] = 0x222 | 0x1000;
    emulateCsrInstruction(v, r, encode('csrrs zero, sie, a1'));
    expect(v.sie).toBe(0x222);
    r.x[A1] = 0x20;
    emulateCsrInstruction(v, r, encode('csrrc a0, sie, a1'));
    expect([r.x[A0], v.sie]).toEqual([0x222, 0x202]);
    emulateCsrInstruction(v, r, encode('csrrsi zero, sstatus, 2'));
    expect(v.readCsr(CSR.sstatus)).toBe(2);
    emulateCsrInstruction(v, r, encode('csrrci a0, sstatus, 2'));
    expect([r.x[A0], v.readCsr(CSR.sstatus)]).toEqual([2, 0]);
    emulateCsrInstruction(v, r, encode('csrrwi zero, sscratch, 31'));
    expect(v.sscratch).toBe(31);
  });

  it('csrrs with rs1 = x0 does not write, so it may read a read-only counter', () => {
    const v = testVcpu();
    const r = new Registers();
    expect(emulateCsrInstruction(v, r, encode('csrrs a0, time, zero'))).toMatchObject({ ok: true, wrote: false });
    expect(r.x[A0]).toBe(9);
    expect(emulateCsrInstruction(v, r, encode('csrrs a0, timeh, a1'))).toEqual({ ok: false, reason: 'read-only' });
    expect(emulateCsrInstruction(v, r, encode('csrrw a0, cycle, zero'))).toEqual({ ok: false, reason: 'read-only' });
  });

  it('refuses M-mode CSRs from virtual S, S-mode CSRs from virtual U, and CSRs that do not exist', () => {
    const v = testVcpu();
    const r = new Registers();
    expect(emulateCsrInstruction(v, r, encode('csrrs a0, mstatus, zero'))).toEqual({ ok: false, reason: 'privilege' });
    expect(emulateCsrInstruction(v, r, encode('csrrw zero, pmpcfg0, a0'))).toEqual({ ok: false, reason: 'privilege' });
    expect(emulateCsrInstruction(v, r, encode('csrrw zero, 0x5c0, a0'))).toEqual({ ok: false, reason: 'not-implemented' });
    v.priv = 0;
    expect(emulateCsrInstruction(v, r, encode('csrrs a0, sstatus, zero'))).toEqual({ ok: false, reason: 'privilege' });
    expect(emulateCsrInstruction(v, r, encode('csrrs a0, cycle, zero'))).toEqual({ ok: false, reason: 'counter-disabled' });
    v.scounteren = 1;
    expect(emulateCsrInstruction(v, r, encode('csrrs a0, cycle, zero'))).toMatchObject({ ok: true });
    expect(r.x[A0]).toBe(5);
  });

  it('nothing changes when the access is refused (no partial write, rd untouched)', () => {
    const v = testVcpu();
    const r = new Registers();
    r.x[A0] = 77;
    v.priv = 0;
    emulateCsrInstruction(v, r, encode('csrrw a0, sscratch, a0'));
    expect([r.x[A0], v.sscratch]).toEqual([77, 0]);
  });

  it('tells CSR instructions from the rest', () => {
    expect(isCsrInstruction(encode('csrrs a0, sstatus, zero'))).toBe(true);
    expect(isCsrInstruction(encode('sret'))).toBe(false);
    expect(isCsrInstruction(encode('addi a0, a0, 1'))).toBe(false);
    expect(emulateCsrInstruction(testVcpu(), new Registers(), encode('wfi'))).toEqual({ ok: false, reason: 'not a CSR instruction' });
  });
});
