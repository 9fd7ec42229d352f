/**
 * One virtual machine: its guest-physical RAM (a slice of host RAM), its devices, its vcpu, its
 * shadow page tables and its virtual timer; and the SBI machine its virtual SBI acts on.
 */
import { IRQ } from '@virtlab/cpu-core';
import type { Hart } from '@virtlab/cpu-core';
import { VIRT } from '@virtlab/hw-model';
import type { VirtBoard } from '@virtlab/hw-model';
import { GuestMemory } from '@virtlab/lab-kit';
import type { HostPort } from '@virtlab/lab-kit';
import type { SbiMachine } from './sbi-abi.js';
import { ShadowPageTables } from './shadow-page-table.js';
import { Vcpu } from './vcpu.js';
import { VmDevices } from './vm-devices.js';

export interface VirtualMachineOptions {
  /** Guest RAM in bytes (guest-physical 0x8000_0000 up). */
  readonly ramSize: number;
  /** Host-physical base of the VM's slice. */
  readonly hostBase: number;
  /** Host-physical base and page count of the VM's shadow-table pool (outside every slice). */
  readonly shadowPoolBase: number;
  readonly shadowPoolPages: number;
  readonly consoleInput?: string | Uint8Array;
  /** Each byte the VM's console sends. */
  readonly onConsoleOutput?: (byte: number) => void;
  /** A disk for the VM's virtio-blk (written in place: pass a private copy). */
  readonly disk?: Uint8Array;
}

export class VirtualMachine implements SbiMachine {
  readonly memory: GuestMemory;
  readonly devices: VmDevices;
  readonly vcpu: Vcpu;
  readonly shadow: ShadowPageTables;
  /** Instructions the hypervisor completed for the guest (they count in its instret). */
  emulated = 0;
  /** The guest's stimecmp (SBI set_timer), or undefined when no timer is due. */
  timerDue: number | undefined = undefined;
  readonly #host: HostPort;
  readonly #board: VirtBoard;

  constructor(board: VirtBoard, hart: Hart, host: HostPort, options: VirtualMachineOptions) {
    this.#host = host;
    this.#board = board;
    this.memory = new GuestMemory(board.bus, VIRT.dram.base, options.hostBase, options.ramSize);
    this.devices = new VmDevices({
      clock: board.clock,
      onConsoleOutput: options.onConsoleOutput,
      consoleInput: options.consoleInput,
      ...(options.disk === undefined ? {} : { disk: options.disk, dma: this.memory.window }),
    });
    this.vcpu = new Vcpu(hart.hartId, {
      cycles: () => board.clock.cycles,
      instret: () => host.retired + this.emulated,
      time: () => board.clock.mtime,
    });
    this.shadow = new ShadowPageTables(board.bus, this.memory, options.shadowPoolBase, options.shadowPoolPages, (va, asid) => host.flushTlb(va, asid));
  }

  get ramBase(): number {
    return this.memory.guestBase;
  }

  get ramEnd(): number {
    return this.memory.guestEnd;
  }

  get halted(): boolean {
    return this.devices.halt.halted;
  }

  /** SBI TIME: the next timer event at guest time `time`; STIP drops until it comes (SBI 6.1). */
  setTimer(time: number): void {
    this.timerDue = time;
    this.vcpu.setLine(IRQ.STI, false);
    this.timerTick();
  }

  /** Looks at the virtual timer: raises STIP when due, else keeps the host timer armed for it. */
  timerTick(): void {
    const due = this.timerDue;
    if (due !== undefined && this.#board.clock.mtime >= due) {
      this.vcpu.setLine(IRQ.STI, true);
      this.timerDue = undefined;
    }
    this.#host.setHostTimer(this.timerDue);
  }

  /** Follows the devices' interrupt lines into the vcpu (PLIC context 1 → SEIP). */
  syncLines(): void {
    this.vcpu.setLine(IRQ.SEI, this.devices.seip);
  }

  putchar(byte: number): void {
    this.devices.putchar(byte);
  }

  getchar(): number {
    return this.devices.getchar();
  }

  readGuest(gpa: number, length: number): Uint8Array {
    return this.memory.readBytes(gpa, length);
  }

  writeGuest(gpa: number, bytes: Uint8Array): void {
    this.memory.writeBytes(gpa, bytes);
  }

  powerOff(status: number): void {
    this.devices.powerOff(status);
  }

  reset(): void {
    this.devices.reset();
  }
}
