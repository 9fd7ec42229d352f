// Assembly building blocks for privileged tests: a trap handler that logs every trap and skips
// the trapping instruction, PMP opened for S and U, and mode switches.
import type { Machine } from './harness.js';

export const LOG = 0x800f_0000;

/** Sets up the logging M-mode handler (s11 = log cursor) and opens all memory to S/U through PMP entry 0. */
export const PRELUDE = `
  li s11, ${LOG}
  li t0, m_handler
  csrw mtvec, t0
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  j start
`;

/** The handler PRELUDE points mtvec at. Interrupts are logged and then masked in mie (they are levels). */
export const HANDLER = `
m_handler:
  csrr t6, mcause
  sw t6, 0(s11)
  csrr t6, mtval
  sw t6, 4(s11)
  csrr t6, mepc
  sw t6, 8(s11)
  csrr t6, mstatus
  sw t6, 12(s11)
  addi s11, s11, 16
  csrr t6, mcause
  blt t6, zero, m_handler_irq
  csrr t6, mepc
  addi t6, t6, 4
  csrw mepc, t6
  mret
m_handler_irq:
  andi t6, t6, 31
  li s10, 1
  sll t6, s10, t6
  csrc mie, t6
  mret
`;

/** Switch to privilege `mpp` (0 U, 1 S) at `label` through mret. */
export const enter = (mpp: number, label: string) => `
  li t0, 0x1800
  csrc mstatus, t0
  li t0, ${mpp << 11}
  csrs mstatus, t0
  li t0, ${label}
  csrw mepc, t0
  mret
`;

/** A program: PRELUDE, the handler, then `start:` + body. */
export function program(body: string): string {
  return `${PRELUDE}${HANDLER}\nstart:\n${body}`;
}

export interface LogEntry {
  cause: number;
  tval: number;
  epc: number;
  mstatus: number;
}

export function log(m: Machine): LogEntry[] {
  const end = m.hart.regs[27]! >>> 0;
  const out: LogEntry[] = [];
  for (let a = LOG; a < end; a += 16) {
    const r = (k: number) => m.platform.bus.read(a + k, 4) | 0;
    out.push({ cause: r(0), tval: r(4), epc: r(8), mstatus: r(12) });
  }
  return out;
}

/** From S: switch to U at `label` through sret. */
export const enterUFromS = (label: string) => `
  li t0, ${label}
  csrw sepc, t0
  li t0, 0x100
  csrc sstatus, t0
  sret
`;
