/**
 * The Popek–Goldberg checker (Popek and Goldberg, "Formal requirements for virtualizable third
 * generation architectures", CACM 1974). Theorem 1: a VMM can be built if every sensitive
 * instruction is privileged. Theorem 3 (hybrid VMM): if every user-sensitive instruction is
 * privileged. "Privileged" here means: traps when run deprivileged in U-mode.
 *
 * The verdict is derived from the decoder table (and the CSR map and the profile's holes), then
 * confirmed by probing a real hart: each form runs in U and in S under two machine
 * configurations that differ only in privileged state; a form that does not trap and whose
 * result differs between them is behaviour-sensitive in that mode, one that changes privileged
 * state is control-sensitive there.
 */
import { CSR, IMPLEMENTED_CSRS, csrName, csrPrivilege, csrReadOnly } from './csr.js';
import type { Privilege } from './csr.js';
import { INSTRUCTION_FORMS } from './decoder-table.js';
import type { InstructionForm, VirtualizationClass } from './decoder-table.js';
import { encode } from './assemble.js';
import { disassemble } from './disassemble.js';
import { Hart } from './hart.js';
import type { TrapInfo } from './hart.js';
import { RV32IMA_PROFILE, isaProfile } from './isa-profile.js';
import type { IsaProfile } from './isa-profile.js';
import { MiniPlatform } from './mini-platform.js';

export interface ProbeResult {
  readonly trapsInU: boolean;
  readonly trapsInS: boolean;
  /** No trap, and the result depends on privileged state. */
  readonly behaviourSensitiveInU: boolean;
  readonly behaviourSensitiveInS: boolean;
  /** No trap, and privileged state changed. */
  readonly controlSensitiveInU: boolean;
  readonly controlSensitiveInS: boolean;
}

export interface FormVerdict {
  /** The probed instruction, disassembled: `csrrs a0, sstatus, zero`. */
  readonly text: string;
  readonly mnemonic: string;
  readonly csr?: string;
  /** The class the table (refined by the CSR map and the profile) gives this form. */
  readonly tableClass: VirtualizationClass;
  /** From the table: sensitive, privileged (traps in U), user-sensitive (sensitive and reachable in U). */
  readonly sensitive: boolean;
  readonly privileged: boolean;
  readonly userSensitive: boolean;
  readonly probe: ProbeResult;
  /** The probe contradicts the table (none expected). */
  readonly disagreement?: string;
}

export interface PopekGoldbergReport {
  readonly profile: IsaProfile['name'];
  /** Theorem 1: every sensitive form is privileged. */
  readonly virtualizable: boolean;
  /** Theorem 3: every user-sensitive form is privileged. */
  readonly hybridVirtualizable: boolean;
  /** Sensitive forms that do not trap in U (break theorem 1). */
  readonly sensitiveNotPrivileged: readonly string[];
  /** User-sensitive forms that do not trap in U (break theorem 3). */
  readonly userSensitiveNotPrivileged: readonly string[];
  /** Forms where the probe and the table disagree; empty when the table is right. */
  readonly disagreements: readonly string[];
  readonly forms: readonly FormVerdict[];
}

const A0 = 10;
const A1 = 11;
const A2 = 12;
const DATA_OFFSET = 0x800;

/** CSRs whose value moves on its own (counters, time): excluded from "did state change". */
const MOVING = new Set<number>([
  CSR.cycle, CSR.cycleh, CSR.time, CSR.timeh, CSR.instret, CSR.instreth, CSR.mcycle, CSR.mcycleh, CSR.minstret, CSR.minstreth,
]);
const SNAPSHOT_CSRS = IMPLEMENTED_CSRS.filter((c) => !MOVING.has(c));

/** Two settings of privileged state, identical in everything that decides whether a form traps. */
const CONFIGS: readonly (readonly [number, number])[][] = [
  [
    [CSR.mstatus, 0x00000000],
    [CSR.sscratch, 0x11111111],
    [CSR.sepc, 0x80000100],
    [CSR.scause, 2],
    [CSR.stval, 0x1000],
    [CSR.stvec, 0x80000200],
    [CSR.satp, 0x00000123],
    [CSR.mie, 0],
    [CSR.mscratch, 0x33333333],
    [CSR.mideleg, 0],
  ],
  [
    [CSR.mstatus, (1 << 1) | (1 << 5) | (1 << 8) | (1 << 18) | (1 << 19) | (1 << 7)],
    [CSR.sscratch, 0x22222222],
    [CSR.sepc, 0x80000180],
    [CSR.scause, 5],
    [CSR.stval, 0x2000],
    [CSR.stvec, 0x80000300],
    [CSR.satp, 0x00000456],
    [CSR.mie, 0x222],
    [CSR.mscratch, 0x44444444],
    [CSR.mideleg, 0x222],
  ],
];

interface Outcome {
  trapped: boolean;
  result: string;
  stateChanged: boolean;
}

class Prober {
  readonly platform = new MiniPlatform({ ramSize: 1 << 16, devices: false });
  readonly hart: Hart;
  #trap: TrapInfo | undefined;

  constructor(profile: IsaProfile) {
    this.hart = new Hart(this.platform, {
      profile,
      predecodePages: 2,
      tlbEntries: 4,
      monitor: {
        onTrap: (_h, t) => {
          this.#trap = t;
          return 'handled';
        },
      },
    });
  }

  run(word: number, priv: Privilege, config: readonly (readonly [number, number])[]): Outcome {
    const h = this.hart;
    const base = this.platform.bus.ramBase;
    h.reset(base);
    // Counters start from the same point in every run, so only privileged state differs.
    this.platform.clock.cycles = 0;
    h.retired = 0;
    this.platform.bus.ram.fill(0, 0, DATA_OFFSET + 16);
    this.platform.bus.ram32[0] = word;
    this.platform.bus.ram32[DATA_OFFSET / 4] = 0x5a5a5a5a;
    h.writeCsr(CSR.pmpaddr0, -1);
    h.writeCsr(CSR.pmpcfg0, 0x1f);
    h.writeCsr(CSR.mcounteren, -1);
    h.writeCsr(CSR.scounteren, -1);
    for (const [csr, v] of config) h.writeCsr(csr, v);
    h.regs[A1] = base + DATA_OFFSET;
    h.regs[A2] = 0x1234;
    h.priv = priv;
    h.refreshModes();
    const before = this.#snapshot();
    this.#trap = undefined;
    h.run(1);
    const trapped = this.#trap !== undefined;
    const after = this.#snapshot();
    const result = [h.regs[A0], h.pc, h.priv, this.platform.bus.ram32[DATA_OFFSET / 4]].join(',');
    return { trapped, result, stateChanged: !trapped && before !== after };
  }

  #snapshot(): string {
    const h = this.hart;
    return `${h.priv}:${SNAPSHOT_CSRS.map((c) => h.readCsr(c)).join(',')}`;
  }

  probe(word: number): ProbeResult {
    const u = CONFIGS.map((c) => this.run(word, 0, c));
    const s = CONFIGS.map((c) => this.run(word, 1, c));
    const trapsU = u.some((o) => o.trapped);
    const trapsS = s.some((o) => o.trapped);
    return {
      trapsInU: trapsU,
      trapsInS: trapsS,
      behaviourSensitiveInU: !trapsU && u[0]!.result !== u[1]!.result,
      behaviourSensitiveInS: !trapsS && s[0]!.result !== s[1]!.result,
      controlSensitiveInU: !trapsU && u.some((o) => o.stateChanged),
      controlSensitiveInS: !trapsS && s.some((o) => o.stateChanged),
    };
  }
}

/** A representative instruction for each form: rd = a0, rs1 = a1 (points at data), rs2 = a2. */
function sampleWord(form: InstructionForm): number {
  const m = form.mnemonic;
  switch (form.format) {
    case 'R':
      return encode(`${m} a0, a1, a2`);
    case 'I':
      return encode(`${m} a0, a1, 8`);
    case 'SHIFT':
      return encode(`${m} a0, a1, 3`);
    case 'LOAD':
    case 'JALR':
      return encode(`${m} a0, 8(a1)`);
    case 'STORE':
      return encode(`${m} a2, 8(a1)`);
    case 'BRANCH':
      return encode(`${m} a1, a2, 8`, 0);
    case 'U':
      return encode(`${m} a0, 0x12`);
    case 'JAL':
      return encode(`${m} a0, 8`, 0);
    case 'AMO':
      return encode(`${m} a0, a2, (a1)`);
    case 'LR':
      return encode(`${m} a0, (a1)`);
    case 'FENCE':
      return encode(`${m} rw, rw`);
    case 'SFENCE':
      return encode(`${m} a1, zero`);
    default:
      return encode(m);
  }
}

/** The CSR forms, expanded per CSR: a read, and every kind of write. */
function csrSamples(csr: number): { text: string; writes: boolean }[] {
  const n = csrName(csr);
  return [
    { text: `csrrs a0, ${n}, zero`, writes: false },
    { text: `csrrw a0, ${n}, a2`, writes: true },
    { text: `csrrs a0, ${n}, a2`, writes: true },
    { text: `csrrc a0, ${n}, a2`, writes: true },
    { text: `csrrwi a0, ${n}, 5`, writes: true },
    { text: `csrrsi a0, ${n}, 5`, writes: true },
    { text: `csrrci a0, ${n}, 5`, writes: true },
  ];
}

/** Runs the checker for a profile. Takes about a second: it probes every form on a hart. */
export function checkPopekGoldberg(profileOrName: IsaProfile | IsaProfile['name'] = RV32IMA_PROFILE): PopekGoldbergReport {
  const profile = typeof profileOrName === 'string' ? isaProfile(profileOrName) : profileOrName;
  const prober = new Prober(profile);
  const forms: FormVerdict[] = [];

  for (const form of INSTRUCTION_FORMS) {
    if (form.cls === 'csr') continue;
    const word = sampleWord(form);
    const probe = prober.probe(word);
    const sensitive = form.virt !== 'innocuous';
    const privileged = form.virt === 'privileged';
    const verdict: FormVerdict = {
      text: disassemble(word, 0),
      mnemonic: form.mnemonic,
      tableClass: form.virt,
      sensitive,
      privileged,
      userSensitive: sensitive && !privileged,
      probe,
      disagreement: disagreement(sensitive, privileged, probe),
    };
    forms.push(verdict);
  }

  for (const csr of IMPLEMENTED_CSRS) {
    const level = csrPrivilege(csr);
    const hole = profile.userCsrHoles.find((h) => h.csr === csr);
    for (const { text, writes } of csrSamples(csr)) {
      const word = encode(text);
      const probe = prober.probe(word);
      // User-level CSRs (counters) are gated by mcounteren/scounteren, which the monitor owns:
      // innocuous. Anything above U reads or changes privileged state.
      const sensitive = level > 0;
      const reachableFromU = level === 0 || (hole !== undefined && hole.readsRealValue);
      const privileged = sensitive && !reachableFromU;
      const tableClass: VirtualizationClass = !sensitive ? 'innocuous' : privileged ? 'privileged' : writes ? 'control-sensitive' : 'behaviour-sensitive';
      const illegalWrite = writes && csrReadOnly(csr);
      forms.push({
        text: disassemble(word, 0),
        mnemonic: text.split(' ')[0]!,
        csr: csrName(csr),
        tableClass,
        sensitive,
        privileged: privileged || illegalWrite,
        userSensitive: sensitive && reachableFromU && !illegalWrite,
        probe,
        disagreement: disagreement(sensitive, privileged || illegalWrite, probe),
      });
    }
  }

  const notPrivileged = (f: FormVerdict) => !f.privileged || !f.probe.trapsInU;
  const sensitiveNotPrivileged = forms.filter((f) => (f.sensitive || probeSensitive(f.probe)) && notPrivileged(f)).map((f) => f.text);
  const userSensitiveNotPrivileged = forms
    .filter((f) => (f.userSensitive || f.probe.behaviourSensitiveInU || f.probe.controlSensitiveInU) && notPrivileged(f))
    .map((f) => f.text);
  return {
    profile: profile.name,
    virtualizable: sensitiveNotPrivileged.length === 0,
    hybridVirtualizable: userSensitiveNotPrivileged.length === 0,
    sensitiveNotPrivileged,
    userSensitiveNotPrivileged,
    disagreements: forms.filter((f) => f.disagreement !== undefined).map((f) => `${f.text}: ${f.disagreement}`),
    forms,
  };
}

function probeSensitive(p: ProbeResult): boolean {
  return p.behaviourSensitiveInU || p.behaviourSensitiveInS || p.controlSensitiveInU || p.controlSensitiveInS;
}

function disagreement(sensitive: boolean, privileged: boolean, p: ProbeResult): string | undefined {
  if (privileged && !p.trapsInU) return 'the table says privileged, but it does not trap in U';
  if (!sensitive && (p.behaviourSensitiveInU || p.controlSensitiveInU || p.behaviourSensitiveInS || p.controlSensitiveInS)) {
    return 'the table says innocuous, but the probe sees it depend on or change privileged state';
  }
  if (!sensitive && p.trapsInU !== p.trapsInS) return 'the table says innocuous, but it traps in one mode and not the other';
  return undefined;
}
