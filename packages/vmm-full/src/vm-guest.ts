/**
 * One VM as the hypervisor schedules it: the VirtualMachine, its exit handler and boot state, and
 * the register file and pc it left the hart with when its last time slice ended (a world switch
 * between VMs saves one and loads the other, as KVM's vcpu_load/vcpu_put do around a host context
 * switch).
 */
import type { HaltReason } from '@virtlab/hw-model';
import type { HostPort } from '@virtlab/lab-kit';
import { VcpuExits } from './vcpu-exit.js';
import type { VirtualMachine } from './virtual-machine.js';
import { wfiWakes } from './virtual-trap.js';
import type { VmBootState } from '@virtlab/lab-kit';

export class VmGuest {
  readonly exits: VcpuExits;
  readonly #regs = new Int32Array(32);
  #pc = 0;

  constructor(
    readonly name: string,
    readonly vm: VirtualMachine,
    readonly boot: VmBootState,
    readonly host: HostPort,
  ) {
    this.exits = new VcpuExits(vm, host);
  }

  /** How the VM ended (power-off with its status, or reset), or undefined while it runs. */
  get haltReason(): HaltReason | undefined {
    return this.vm.devices.halt.reason;
  }

  /** Halted, or stopped in a fault loop: it will never run again. */
  get done(): boolean {
    return this.vm.halted || this.exits.faultLoop !== undefined;
  }

  /** Not done, and not in a WFI that no pending, enabled virtual interrupt ends (priv 3.3.3). */
  get runnable(): boolean {
    const vcpu = this.vm.vcpu;
    return !this.done && !(vcpu.waiting && !wfiWakes(vcpu));
  }

  /** Everything the VM's console transmitted (bounded by its console limit). */
  get console(): Uint8Array {
    return this.vm.devices.uart.output;
  }

  consoleText(): string {
    return new TextDecoder().decode(this.console);
  }

  /** Its slice ends: the hart's registers and pc kept with it. */
  saveContext(idleCycles: number): void {
    for (let i = 1; i < 32; i++) this.#regs[i] = this.host.readReg(i);
    this.#pc = this.host.pc;
    this.vm.switchOut(idleCycles);
  }

  /** Its slice begins: registers and pc back on the hart, its shadow root loaded on the next entry. */
  loadContext(): void {
    for (let i = 1; i < 32; i++) this.host.writeReg(i, this.#regs[i]!);
    this.host.pc = this.#pc;
    this.vm.switchIn();
    this.exits.forgetSatp();
    this.exits.markRetired();
  }

  /** The counters a run report carries for this VM (`vmm.*`). */
  counters(): Record<string, number> {
    const c = this.exits.counters;
    const out: Record<string, number> = {};
    let total = 0;
    for (const [reason, n] of Object.entries(c.exits)) {
      out[`vmm.exit.${reason}`] = n;
      total += n;
    }
    out['vmm.exits'] = total;
    let callouts = 0;
    for (const [reason, n] of Object.entries(c.callouts)) {
      if (n === 0) continue;
      out[`vmm.callout.${reason}`] = n;
      callouts += n;
    }
    out['vmm.callouts'] = callouts;
    out['vmm.direct.u'] = c.direct[0];
    out['vmm.direct.s'] = c.direct[1];
    out['vmm.fault.hidden'] = c.hiddenFaults;
    out['vmm.fault.reflected'] = c.reflectedFaults;
    out['vmm.interrupts'] = c.interrupts;
    out['vmm.emulated_instructions'] = this.vm.emulated;
    for (const [k, n] of Object.entries(this.vm.shadow.counters) as [string, number][]) out[`vmm.shadow.${k}`] = n;
    return out;
  }
}
