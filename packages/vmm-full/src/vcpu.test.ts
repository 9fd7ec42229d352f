// The virtual S-mode CSRs against the WARL rules of priv 4.1.
import { describe, expect, it } from 'vitest';
import { CSR } from '@virtlab/cpu-core';
import { VcpuError } from './vcpu.js';
import { testVcpu } from './test-support.js';

describe('virtual S-mode CSRs (priv 4.1)', () => {
  it('sstatus keeps only SIE, SPIE, SPP, SUM and MXR; SD, UBE, MPP, MIE, TVM read 0 (4.1.1)', () => {
    const v = testVcpu();
    v.writeCsr(CSR.sstatus, -1);
    // SIE bit 1, SPIE 5, SPP 8, SUM 18, MXR 19
    expect(v.readCsr(CSR.sstatus)! >>> 0).toBe(0x000c0122);
    v.writeCsr(CSR.sstatus, 0);
    expect(v.readCsr(CSR.sstatus)).toBe(0);
  });

  it('sie holds SSIE, STIE, SEIE only; sip lets software write SSIP alone (4.1.3)', () => {
    const v = testVcpu();
    v.writeCsr(CSR.sie, -1);
    expect(v.readCsr(CSR.sie)).toBe(0x222);
    v.writeCsr(CSR.sip, -1);
    expect(v.readCsr(CSR.sip)).toBe(0x2);
    v.setLine(5, true);
    v.setLine(9, true);
    expect(v.readCsr(CSR.sip)).toBe(0x222);
    v.writeCsr(CSR.sip, 0); // STIP and SEIP are read-only in sip
    expect(v.readCsr(CSR.sip)).toBe(0x220);
    v.setLine(5, false);
    expect(v.readCsr(CSR.sip)).toBe(0x200);
  });

  it('stvec accepts direct (0) and vectored (1) modes and ignores a write with a reserved mode (4.1.2)', () => {
    const v = testVcpu();
    v.writeCsr(CSR.stvec, 0x80401001);
    expect(v.readCsr(CSR.stvec)).toBe(0x80401001 | 0);
    v.writeCsr(CSR.stvec, 0x80402002);
    expect(v.readCsr(CSR.stvec)).toBe(0x80401001 | 0);
    v.writeCsr(CSR.stvec, 0x80403000);
    expect(v.readCsr(CSR.stvec)).toBe(0x80403000 | 0);
  });

  it('sepc bits 1:0 are zero without C (4.1.7); sscratch, scause, stval and satp hold any value', () => {
    const v = testVcpu();
    v.writeCsr(CSR.sepc, 0x80400007);
    expect(v.readCsr(CSR.sepc)! >>> 0).toBe(0x80400004);
    for (const csr of [CSR.sscratch, CSR.scause, CSR.stval, CSR.satp]) {
      v.writeCsr(csr, 0xdeadbeef);
      expect(v.readCsr(csr)! >>> 0).toBe(0xdeadbeef);
    }
  });

  it('senvcfg keeps FIOM only (4.1.10)', () => {
    const v = testVcpu();
    v.writeCsr(CSR.senvcfg, -1);
    expect(v.readCsr(CSR.senvcfg)).toBe(1);
  });

  it('counters read the virtual sources, low and high halves; hpmcounters read 0', () => {
    const v = testVcpu();
    expect([CSR.cycle, CSR.cycleh, CSR.instret, CSR.instreth, CSR.time, CSR.timeh].map((c) => v.readCsr(c))).toEqual([5, 1, 7, 2, 9, 3]);
    expect(v.readCsr(0xc03)).toBe(0);
    expect(v.readCsr(0xc9f)).toBe(0);
  });

  it('gates counters by mcounteren (7: CY, TM, IR) in S and also by scounteren in U (4.1.5)', () => {
    const v = testVcpu();
    expect(v.counterAllowed(CSR.cycle)).toBe(true);
    expect(v.counterAllowed(0xc03)).toBe(false); // hpmcounter3: mcounteren bit 3 clear
    v.priv = 0;
    expect(v.counterAllowed(CSR.time)).toBe(false);
    v.writeCsr(CSR.scounteren, 2);
    expect([v.counterAllowed(CSR.cycle), v.counterAllowed(CSR.time), v.counterAllowed(CSR.timeh), v.counterAllowed(CSR.instret)]).toEqual([false, true, true, false]);
    expect(v.counterAllowed(CSR.sstatus)).toBe(true);
  });

  it('knows no M-mode CSR, and says which CSR a bad write named', () => {
    const v = testVcpu();
    expect(v.readCsr(CSR.mstatus)).toBeUndefined();
    expect(v.readCsr(CSR.pmpcfg0)).toBeUndefined();
    expect(() => v.writeCsr(CSR.mtvec, 0)).toThrow(VcpuError);
    expect(() => v.writeCsr(CSR.mtvec, 0)).toThrow(/mtvec \(0x305\)/);
  });
});
