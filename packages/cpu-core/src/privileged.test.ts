// Privileged architecture 1.12, written from the spec: trap entry and return with xPP/xPIE
// stacking, delegation, CSR access rules, counters, interrupts (priority, masking, delegation),
// WFI, and the tval values QEMU 7.2 writes (checked with qemu-system-riscv32, see README).
import { describe, expect, it } from 'vitest';
import { CAUSE, MSTATUS } from './csr.js';
import { machine, runToExit } from './test/harness.js';
import { LOG, enter, enterUFromS, log, program } from './test/programs.js';

const INT = 0x80000000 | 0;

describe('traps from each mode and mret/sret', () => {
  it('ecall from M, S and U raises causes 11, 9 and 8 with tval 0 and epc at the ecall', () => {
    const m = runToExit(program(`
      ecall
      ${enter(1, 'in_s')}
    in_s:
      ecall
      ${enterUFromS('in_u')}
    in_u:
      ecall
    `));
    const l = log(m);
    expect(l.map((e) => e.cause)).toEqual([CAUSE.ecallM, CAUSE.ecallS, CAUSE.ecallU]);
    expect(l.every((e) => e.tval === 0)).toBe(true);
    // MPP records the mode the trap came from (priv 3.1.6.1).
    expect(l.map((e) => (e.mstatus >>> 11) & 3)).toEqual([3, 1, 0]);
    expect(m.hart.counters()['trap.ecall_u']).toBe(1);
  });

  it('mret pops MPIE into MIE, sets MPIE, and leaves MPP = U; MPRV clears when going below M', () => {
    const m = runToExit(program(`
      li t0, ${MSTATUS.MPIE | MSTATUS.MPRV | (1 << 11)}
      csrs mstatus, t0
      ${enter(1, 'in_s')}
    in_s:
      ecall
    `));
    const s = log(m)[0]!.mstatus;
    // The handler ran right after trap entry from S: MPIE holds the MIE value that mret set (1), MIE = 0.
    expect(s & MSTATUS.MPIE).toBe(MSTATUS.MPIE);
    expect(s & MSTATUS.MIE).toBe(0);
    expect(s & MSTATUS.MPRV).toBe(0);
  });

  it('delegates U and S exceptions to S through medeleg, with SPP/SPIE stacking, and sret returns', () => {
    const m = runToExit(program(`
      li t0, ${1 << 8}
      csrw medeleg, t0
      li t0, s_handler
      csrw stvec, t0
      ${enter(1, 'in_s')}
    in_s:
      li t0, ${MSTATUS.SPIE}
      csrs sstatus, t0
      li t0, u_code
      csrw sepc, t0
      li t0, ${MSTATUS.SPP}
      csrc sstatus, t0
      sret
    u_code:
      ecall
      li a5, 55
      ecall
      j finish
    s_handler:
      csrr a0, scause
      csrr a1, sepc
      csrr a2, sstatus
      csrr a3, stval
      addi a1, a1, 4
      csrw sepc, a1
      li a4, 1
      beq a5, zero, s_ret
      ecall
    s_ret:
      sret
    finish:
    `));
    expect(m.reg('a0')).toBe(CAUSE.ecallU);
    expect(m.reg('a1') >>> 0).toBe(m.labels.get('u_code')! + 16);
    // sret set SIE from SPIE (1); in the handler: SPP = 0 (came from U), SPIE = old SIE (1), SIE = 0.
    expect(m.reg('a2') & (MSTATUS.SPP | MSTATUS.SPIE | MSTATUS.SIE)).toBe(MSTATUS.SPIE);
    // The second U ecall also went to S; S then made an ecall that M logged (cause 9).
    expect(log(m).map((e) => e.cause)).toEqual([CAUSE.ecallS]);
  });

  it('never delegates traps taken in M, whatever medeleg says', () => {
    const m = runToExit(program(`
      li t0, -1
      csrw medeleg, t0
      csrr a0, medeleg
      ecall
    `));
    expect(log(m).map((e) => e.cause)).toEqual([CAUSE.ecallM]);
    expect(m.reg('a0') >>> 0).toBe(0xb3ff); // medeleg[11] (ecall from M) is read-only zero
  });

  it('makes mret illegal below M, sret illegal in U and, with TSR, in S; tval holds the instruction bits', () => {
    const m = runToExit(program(`
      li t0, ${MSTATUS.TSR}
      csrs mstatus, t0
      ${enter(1, 'in_s')}
    in_s:
      mret
      sret
      ${'' /* back in M through the handler's mret? no: handler returns to S */}
      li t0, after_u
      ecall
    after_u:
    `));
    const l = log(m);
    expect(l.slice(0, 2).map((e) => [e.cause, e.tval >>> 0])).toEqual([
      [CAUSE.illegalInstruction, 0x30200073],
      [CAUSE.illegalInstruction, 0x10200073],
    ]);
  });

  it('reports illegal instructions with the bits in tval and ebreak with tval 0 (QEMU 7.2)', () => {
    const m = runToExit(program(`
      .word 0xffffffff
      .word 0x00000000
      ebreak
    `));
    expect(log(m).map((e) => [e.cause, e.tval >>> 0])).toEqual([
      [CAUSE.illegalInstruction, 0xffffffff],
      [CAUSE.illegalInstruction, 0],
      [CAUSE.breakpoint, 0],
    ]);
  });

  it('raises instruction-address-misaligned on the jump, with the target in tval, without linking', () => {
    const m = runToExit(program(`
      li ra, 0
      li t1, 0x80000102
      jalr ra, 0(t1)
      mv a0, ra
    `));
    const l = log(m);
    expect(l[0]!.cause).toBe(CAUSE.misalignedFetch);
    expect(l[0]!.tval >>> 0).toBe(0x80000102);
    expect(m.reg('a0')).toBe(0);
  });

  it('turns loads and stores where nothing answers into access faults with the address in tval', () => {
    const m = runToExit(program(`
      li t1, 0x40000000
      lw a0, 0(t1)
      sw a0, 4(t1)
    `));
    expect(log(m).map((e) => [e.cause, e.tval >>> 0])).toEqual([
      [CAUSE.loadAccess, 0x40000000],
      [CAUSE.storeAccess, 0x40000004],
    ]);
  });
});

describe('CSR access rules', () => {
  it('traps accesses above the current privilege, writes to read-only CSRs, and satp under TVM', () => {
    const m = runToExit(program(`
      csrw mhartid, zero
      li t0, ${MSTATUS.TVM}
      csrs mstatus, t0
      ${enter(1, 'in_s')}
    in_s:
      csrr a0, mstatus
      csrr a1, satp
      csrr a2, sstatus
      ${enterUFromS('in_u')}
    in_u:
      csrr a3, sstatus
      csrr a4, sscratch
    `));
    expect(log(m).map((e) => e.cause)).toEqual(Array(5).fill(CAUSE.illegalInstruction));
    // Two of them came from S (mstatus, satp) and two from U.
    expect(log(m).map((e) => (e.mstatus >>> 11) & 3)).toEqual([3, 1, 1, 0, 0]);
  });

  it('gates cycle/time/instret by mcounteren for S and by both counteren for U', () => {
    const m = runToExit(program(`
      li t0, 5
      csrw mcounteren, t0
      ${enter(1, 'in_s')}
    in_s:
      rdcycle_s:
      csrr a0, cycle
      csrr a1, time
      csrr a2, instret
      li t0, 1
      csrw scounteren, t0
      li t0, u_code
      csrw sepc, t0
      sret
    u_code:
      csrr a3, cycle
      csrr a4, instret
    `.replace('rdcycle_s:', '')));
    const l = log(m);
    // S: time (bit 1) not enabled in mcounteren. U: instret (bit 2) not enabled in scounteren.
    expect(l.map((e) => [e.cause, (e.mstatus >>> 11) & 3])).toEqual([
      [CAUSE.illegalInstruction, 1],
      [CAUSE.illegalInstruction, 0],
    ]);
    expect(m.reg('a0')).toBeGreaterThan(0);
    expect(m.reg('a3')).toBeGreaterThan(m.reg('a0'));
  });

  it('reads time from the lab clock (mtime = cycles / cyclesPerTick) and minstret counts retired instructions', () => {
    const m = runToExit(`
      csrr a0, minstret
      nop
      nop
      csrr a1, minstret
      csrr a2, time
      csrr a3, mcycle
    `, { cyclesPerTick: 4 });
    expect(m.reg('a1') - m.reg('a0')).toBe(3);
    expect(m.reg('a2')).toBe(Math.floor(m.reg('a3') / 4));
  });

  it('keeps WARL fields legal: mepc low bits, mtvec reserved modes, MPP = 2, mideleg bits', () => {
    const m = runToExit(`
      li t0, 0x80000007
      csrw mepc, t0
      csrr a0, mepc
      li t0, 0x80000102
      csrw mtvec, t0
      csrr a1, mtvec
      li t0, 0x1000
      csrc mstatus, t0
      li t0, 0x800
      csrc mstatus, t0
      li t0, 0x1000
      csrs mstatus, t0
      csrr a2, mstatus
      li t0, -1
      csrw mideleg, t0
      csrr a3, mideleg
      csrr a4, misa
    `);
    expect(m.reg('a0') >>> 0).toBe(0x80000004);
    expect(m.reg('a1')).toBe(0); // mode 2 is reserved: the write is ignored
    expect((m.reg('a2') >>> 11) & 3).toBe(0); // MPP was 0 before: writing 2 keeps it
    expect(m.reg('a3')).toBe(0x222); // SSIP, STIP, SEIP
    expect(m.reg('a4') >>> 0).toBe(0x40141101); // RV32 I M A S U
  });
});

describe('interrupts', () => {
  it('takes the machine timer when mtime reaches mtimecmp, only with MIE and MTIE, at a deterministic point', () => {
    const src = program(`
      li t1, 0x2004000
      li t0, 50
      sw t0, 0(t1)
      li t0, ${1 << 7}
      csrw mie, t0
      li a0, 0
    spin:
      addi a0, a0, 1
      li t2, 2000
      blt a0, t2, spin
      csrsi mstatus, 8
      li t3, ${LOG}
    spin2:
      addi a0, a0, 1
      beq s11, t3, spin2
      li t0, -1
      sw t0, 0(t1)
    `);
    const a = runToExit(src);
    const b = runToExit(src);
    const l = log(a);
    expect(l[0]!.cause).toBe(INT | 7);
    // Taken only after MIE was set (2000 iterations in).
    expect(a.reg('a0')).toBeGreaterThan(2000);
    expect(a.hart.counters()['irq.mtimer']).toBe(1);
    // Same input, same run.
    expect(b.hart.counters()).toEqual(a.hart.counters());
    expect(log(b)).toEqual(l);
  });

  it('orders simultaneous interrupts MEI, MSI, MTI, SEI, SSI, STI (priv 3.1.9)', () => {
    const m = machine(program(`
      li t0, 0xaaa
      csrw mie, t0
      csrsi mip, 2
      li t0, ${1 << 5}
      csrs mip, t0
      csrsi mstatus, 8
      li a0, 1
    `) + '\nhalt: j halt\n');
    m.platform.lines = (1 << 11) | (1 << 9) | (1 << 3);
    const order: number[] = [];
    m.hart.monitor = {
      onTrap: (h, t) => {
        order.push(t.code);
        if (t.interrupt) {
          const bit = 1 << t.code;
          m.platform.lines &= ~bit;
          h.writeCsr(0x344, (h.readCsr(0x344)! & ~bit) | 0);
          return 'handled';
        }
        return 'deliver';
      },
    };
    m.run(10_000);
    expect(order).toEqual([11, 3, 9, 1, 5]);
  });

  it('delegates S interrupts through mideleg: taken in S when SIE, always in U, never in M', () => {
    const m = runToExit(program(`
      li t0, ${1 << 5}
      csrw mideleg, t0
      csrw mie, t0
      li t0, s_handler
      csrw stvec, t0
      li t0, ${1 << 5}
      csrs mip, t0
      csrsi mstatus, 8
      nop
      nop
      ${enter(0, 'in_u')}
    in_u:
      li a1, 1
      li a1, 2
    s_handler:
      csrr a0, scause
      csrr a2, sstatus
      csrr a3, sepc
      ecall
    `));
    // Pending and enabled (U is below S) from the first U instruction: taken before it runs.
    expect(m.reg('a0')).toBe(INT | 5);
    expect(m.reg('a1')).toBe(0);
    expect(m.reg('a3') >>> 0).toBe(m.labels.get('in_u'));
    expect(m.reg('a2') & MSTATUS.SPP).toBe(0);
    expect(log(m).map((e) => e.cause)).toEqual([CAUSE.ecallS]);
  });

  it('takes M interrupts in S and U even when MIE is clear', () => {
    const m = runToExit(program(`
      li t0, ${1 << 3}
      csrw mie, t0
      ${enter(0, 'in_u')}
    in_u:
      li t1, 0x2000000
      li t0, 1
      sw t0, 0(t1)
      li a0, 9
      sw zero, 0(t1)
    `));
    // MSIP rises with the store and is taken from U right after it, with MIE clear.
    const l = log(m);
    expect(l.map((e) => [e.cause, (e.mstatus >>> 11) & 3])).toEqual([[INT | 3, 0]]);
    expect(l[0]!.epc >>> 0).toBe(m.labels.get('in_u')! + 20); // the instruction after the store
    expect(m.reg('a0')).toBe(9);
  });
});

describe('WFI', () => {
  it('sleeps until the timer, charging the time, and resumes after it without a trap when MIE is clear', () => {
    const m = runToExit(`
      li t1, 0x2004000
      li t0, 1000
      sw t0, 0(t1)
      li t0, ${1 << 7}
      csrw mie, t0
      wfi
      csrr a0, time
      li t0, -1
      sw t0, 0(t1)
    `, { cyclesPerTick: 10 });
    expect(m.reg('a0')).toBeGreaterThanOrEqual(1000);
    const c = m.hart.counters();
    expect(c['trap.total']! + c['irq.total']!).toBe(0);
    expect(c['wfi.cycles']).toBeGreaterThan(9000);
  });

  it('reports a deadlock when no interrupt can ever wake the hart', () => {
    const m = machine('wfi\nnop\n');
    const r = m.run(100);
    expect(r.stop).toEqual({ kind: 'deadlock', pc: 0x80000004 });
  });

  it('is illegal in U, and in S when TW is set (QEMU 7.2 helper_wfi)', () => {
    const m = runToExit(program(`
      li t0, ${MSTATUS.TW}
      csrs mstatus, t0
      ${enter(1, 'in_s')}
    in_s:
      wfi
      ${enterUFromS('in_u')}
    in_u:
      wfi
    `));
    const l = log(m);
    expect(l.map((e) => [e.cause, (e.mstatus >>> 11) & 3, e.tval >>> 0])).toEqual([
      [CAUSE.illegalInstruction, 1, 0x10500073],
      [CAUSE.illegalInstruction, 0, 0x10500073],
    ]);
  });
});
