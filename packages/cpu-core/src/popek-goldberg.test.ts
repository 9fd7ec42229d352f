import { describe, expect, it } from 'vitest';
import { checkPopekGoldberg } from './popek-goldberg.js';

describe('Popek–Goldberg checker', () => {
  it('finds standard RV32IMA classically virtualizable, with the table confirmed by probing', () => {
    const r = checkPopekGoldberg('rv32ima');
    expect(r.disagreements).toEqual([]);
    expect(r.sensitiveNotPrivileged).toEqual([]);
    expect(r.virtualizable).toBe(true);
    expect(r.hybridVirtualizable).toBe(true);
    // Spot checks: sret and a CSR write are privileged and trap in U; sret does not trap in S and changes the mode there.
    const sret = r.forms.find((f) => f.mnemonic === 'sret')!;
    expect(sret.probe).toMatchObject({ trapsInU: true, trapsInS: false, controlSensitiveInS: true });
    const satp = r.forms.find((f) => f.text === 'csrrw a0, satp, a2')!;
    expect(satp).toMatchObject({ privileged: true, probe: { trapsInU: true, trapsInS: false, controlSensitiveInS: true } });
    const add = r.forms.find((f) => f.mnemonic === 'add')!;
    expect(add.tableClass).toBe('innocuous');
  });

  it('finds the legacy profile not virtualizable, naming the sstatus forms, and the probe agrees', () => {
    const r = checkPopekGoldberg('legacy');
    expect(r.disagreements).toEqual([]);
    expect(r.virtualizable).toBe(false);
    expect(r.hybridVirtualizable).toBe(false);
    expect(r.sensitiveNotPrivileged).toContain('csrrs a0, sstatus, zero');
    expect(r.sensitiveNotPrivileged).toContain('csrrw a0, sstatus, a2');
    expect(r.sensitiveNotPrivileged.every((t) => t.includes('sstatus'))).toBe(true);
    const read = r.forms.find((f) => f.text === 'csrrs a0, sstatus, zero')!;
    // Like PUSHF: no trap in U, and the value read depends on privileged state.
    expect(read.probe).toMatchObject({ trapsInU: false, behaviourSensitiveInU: true });
    expect(read.tableClass).toBe('behaviour-sensitive');
    const write = r.forms.find((f) => f.text === 'csrrw a0, sstatus, a2')!;
    expect(write.probe).toMatchObject({ trapsInU: false, controlSensitiveInU: true });
    expect(write.tableClass).toBe('control-sensitive');
  });
});
