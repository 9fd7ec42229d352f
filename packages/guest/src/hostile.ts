/**
 * The hostile S-mode guests (hostile/hostile.c): kernels that attack the machine they are given.
 * vmm-full runs each in a VM beside another; the escape guest's lines are also checked on QEMU
 * with the project firmware (hostile.test.ts), so what a VM gives it is what real S-mode gets.
 */
import { guestImage } from './paths.js';

export const HOSTILE_ATTACKS = ['escape', 'flood', 'spin', 'virtio', 'sstatus'] as const;
export type HostileAttack = (typeof HOSTILE_ATTACKS)[number];

/** The RAM each hostile guest assumes it has at 0x8000_0000 (`HOSTILE_RAM` in hostile.c). */
export const HOSTILE_RAM_SIZE = 16 << 20;

export function hostileImage(attack: HostileAttack): string {
  return guestImage(`hostile/${attack}.elf`);
}

/**
 * What the escape guest prints before it points satp outside its RAM. From the privileged
 * specification: an access where no memory or device is — directly, or through a leaf of the
 * guest's own tables — is an access fault of the access type (5 load, 7 store; 3.7.1, 4.3.2);
 * an M-mode CSR or mret in S-mode is an illegal instruction (2), stval the instruction (3.1.16).
 */
export const ESCAPE_LINES: readonly string[] = [
  'hostile guest up',
  'load past RAM: scause=0x00000005 stval=0x81000000',
  'store past RAM: scause=0x00000007 stval=0x81001000',
  'load beside: scause=0x00000005 stval=0x81800000',
  'store beside: scause=0x00000007 stval=0x81800000',
  'load via own PTE beside: scause=0x00000005 stval=0x40000000',
  'store via own PTE past RAM: scause=0x00000007 stval=0x40400010',
  'csrw pmpaddr0: scause=0x00000002 stval=0x3b029073', // csrrw x0, pmpaddr0, t0
  'csrw pmpcfg0: scause=0x00000002 stval=0x3a029073', // csrrw x0, pmpcfg0, t0
  'csrs mstatus: scause=0x00000002 stval=0x3002a073', // csrrs x0, mstatus, t0
  'csrw mtvec: scause=0x00000002 stval=0x30501073', // csrrw x0, mtvec, x0
  'mret: scause=0x00000002 stval=0x30200073',
  'escape: done',
];

/**
 * What the sstatus probe prints on a machine whose S-mode is real: an ebreak taken in S-mode
 * leaves SPP = 1 (priv 4.1.1), and with sstatus.SIE and sie.STIE set the timer interrupt is taken
 * in S-mode, scause 0x8000_0005 (priv 4.1.9). Checked on QEMU (hostile.test.ts).
 */
export const SSTATUS_LINES: readonly string[] = [
  'hostile guest up',
  'ebreak in S: scause=0x00000003 SPP=0x00000001',
  'timer in S: scause=0x80000005',
];
