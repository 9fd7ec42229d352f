// Monitor hooks: a TypeScript monitor serves a deprivileged guest kernel's ecalls and emulates
// the CSR accesses that trap from U-mode (trap-and-emulate), with every event counted. Also what
// the hart reports for runaway guests and jumps into nothing.
import { describe, expect, it } from 'vitest';
import { CAUSE, CSR } from './csr.js';
import { decodeForm, field } from './decoder-table.js';
import type { HartMonitor } from './hart.js';
import { machine } from './test/harness.js';

describe('a TypeScript monitor', () => {
  it('serves ecalls and emulates a trapped CSR access from U-mode, every event in the counters', () => {
    const out: number[] = [];
    const virtualCsr = new Map<number, number>([[CSR.sscratch, 0x5ca7c4]]);
    const monitor: HartMonitor = {
      onTrap(hart, trap) {
        const port = hart.port;
        if (trap.code === CAUSE.ecallU) {
          // A tiny SBI: a7 = 1 putchar(a0), a7 = 8 shutdown.
          const fn = port.readReg(17);
          if (fn === 1) out.push(port.readReg(10));
          if (fn === 8) return 'deliver';
          port.writeReg(10, 0);
          port.pc = trap.epc + 4;
          return 'handled';
        }
        if (trap.code === CAUSE.illegalInstruction) {
          // tval holds the instruction bits (QEMU 7.2): decode with the shared table and emulate.
          const form = decodeForm(trap.tval);
          if (form?.mnemonic !== 'csrrs' && form?.mnemonic !== 'csrrw') return 'deliver';
          const csr = field.csr(trap.tval);
          const old = virtualCsr.get(csr) ?? 0;
          if (form.mnemonic === 'csrrw') virtualCsr.set(csr, port.readReg(field.rs1(trap.tval)));
          port.writeReg(field.rd(trap.tval), old);
          port.pc = trap.epc + 4;
          return 'handled';
        }
        return 'deliver';
      },
    };
    const m = machine(`
      li t0, -1
      csrw pmpaddr0, t0
      li t0, 0x1f
      csrw pmpcfg0, t0
      li t0, m_trap
      csrw mtvec, t0
      li t0, guest
      csrw mepc, t0
      mret
    guest:
      li a7, 1
      li a0, 72
      ecall
      li a0, 105
      ecall
      csrr s1, sscratch
      li t1, 99
      csrw sscratch, t1
      csrr s2, sscratch
      li a7, 8
      ecall
    m_trap:
      csrr s3, mcause
      li t6, 0x100000
      li t5, 0x5555
      sw t5, 0(t6)
    `, { monitor });
    expect(m.run(10_000).stop.kind).toBe('halted');
    expect(String.fromCharCode(...out)).toBe('Hi');
    expect([m.reg('s1'), m.reg('s2'), m.reg('s3')]).toEqual([0x5ca7c4, 99, CAUSE.ecallU]);
    const c = m.hart.counters();
    expect(c['trap.ecall_u']).toBe(3);
    expect(c['trap.illegal_instruction']).toBe(3);
    expect(c['monitor.traps']).toBe(6);
    expect(c['monitor.handled']).toBe(5);
    expect(c['monitor.pc_writes']).toBe(5);
    expect(c['monitor.reg_reads']).toBe(3 + 2 + 1); // a7 three times, a0 twice, rs1 of csrw once
    expect(c['monitor.reg_writes']).toBe(2 + 3);
  });

  it('switches the MMU root, flushes the TLB, injects interrupts and sets privilege, counting each', () => {
    const m = machine('nop\nnop\nnop\n');
    const p = m.hart.port;
    p.setSatp(0);
    p.flushTlb();
    p.injectInterrupt(1 << 7);
    expect(p.readCsr(CSR.mip)! & (1 << 7)).toBe(1 << 7);
    p.clearInterrupt(1 << 7);
    p.writeCsr(CSR.mscratch, 5);
    p.privilege = 3;
    const c = m.hart.counters();
    expect([c['monitor.satp_switches'], c['monitor.tlb_flushes'], c['monitor.irq_injections'], c['monitor.csr_reads'], c['monitor.csr_writes'], c['monitor.priv_writes']])
      .toEqual([1, 1, 1, 1, 1, 1]);
  });
});

describe('guests that misbehave', () => {
  it('stops a runaway guest at the budget, deterministically', () => {
    const a = machine('spin: j spin');
    const b = machine('spin: j spin');
    const ra = a.run(123_457);
    expect(ra.stop).toEqual({ kind: 'budget' });
    expect(ra.instructions).toBe(123_457);
    b.run(123_457);
    expect(b.hart.counters()).toEqual(a.hart.counters());
  });

  it('reports a jump into unmapped memory with no handler as a fault loop, and the host carries on', () => {
    const m = machine('li t0, 0x40000000\njalr zero, 0(t0)\n');
    const r = m.run(1_000_000);
    expect(r.stop.kind).toBe('fault-loop');
    if (r.stop.kind !== 'fault-loop') return;
    expect(r.stop.cause).toBe(CAUSE.fetchAccess);
    expect(r.stop.description).toContain('fetch_access');
    expect(m.hart.readCsr(CSR.mepc)! >>> 0).toBe(0); // mtvec is 0: the handler address faults too
    expect(m.hart.counters()['trap.fetch_access']).toBeGreaterThanOrEqual(3);
  });

  it('delivers the fetch access fault to a handler that exists, with the target in mtval', () => {
    const m = machine(`
      li t0, handler
      csrw mtvec, t0
      li t0, 0x40000000
      jalr zero, 0(t0)
    handler:
      csrr a0, mcause
      csrr a1, mtval
      li t6, 0x100000
      li t5, 0x5555
      sw t5, 0(t6)
    `);
    expect(m.run(1000).stop.kind).toBe('halted');
    expect([m.reg('a0'), m.reg('a1') >>> 0]).toEqual([CAUSE.fetchAccess, 0x40000000]);
  });
});
