import { describe, expect, it } from 'vitest';
import { CAUSE, MSTATUS } from './csr.js';
import { runToExit } from './test/harness.js';
import { enterUFromS, enter, log, program } from './test/programs.js';

const guest = `
  li t0, ${MSTATUS.SIE | MSTATUS.SPIE}
  csrs mstatus, t0
  ${enter(1, 'in_s')}
in_s:
  ${enterUFromS('in_u')}
in_u:
  csrr a0, sstatus
  li t1, ${MSTATUS.SUM}
  csrs sstatus, t1
  csrci sstatus, ${MSTATUS.SIE}
  csrr a1, sstatus
`;

describe('ISA profiles', () => {
  it('rv32ima: U-mode sstatus reads and writes trap', () => {
    const m = runToExit(program(guest));
    expect(log(m).map((e) => e.cause)).toEqual(Array(4).fill(CAUSE.illegalInstruction));
  });

  it('legacy: U reads the real sstatus (like PUSHF) and a write silently drops SIE (like POPF)', () => {
    const m = runToExit(program(guest), { profile: 'legacy' });
    expect(log(m)).toEqual([]);
    // sret from S set SIE from SPIE: the real value shows SIE = 1 in U.
    expect(m.reg('a0') & MSTATUS.SIE).toBe(MSTATUS.SIE);
    // Setting SUM took effect; clearing SIE was silently dropped.
    expect(m.reg('a1') & (MSTATUS.SUM | MSTATUS.SIE)).toBe(MSTATUS.SUM | MSTATUS.SIE);
  });
});
