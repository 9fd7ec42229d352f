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
  /** Console bytes kept at most (the rest dropped and counted): a flooding guest cannot grow host memory. */
  readonly consoleLimit?: number;
  /** Added to the real ASIDs of this VM's shadows (VMs sharing a hart get disjoint ranges). */
  readonly asidBase?: number;
  /** Other VMs share the hart: "flush the whole TLB" flushes this VM's ASIDs only. */
  readonly sharedHart?: boolean;
  /** Arms the host timer for this VM's next timer event (default: the host timer at exactly that time). */
  readonly armTimer?: (due: number | undefined) => void;
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
  /** Lab cycles and hart-retired instructions of this VM's finished time slices (a VM alone: its one slice). */
  cyclesRun = 0;
  retiredRun = 0;
  /** Whether the hart runs this VM now, and the clock and retired count when its slice began. */
  running = true;
  #sliceCycles = 0;
  #sliceRetired = 0;
  readonly #host: HostPort;
  readonly #board: VirtBoard;
  readonly #armTimer: (due: number | undefined) => void;

  constructor(board: VirtBoard, hart: Hart, host: HostPort, options: VirtualMachineOptions) {
    this.#host = host;
    this.#board = board;
    this.memory = new GuestMemory(board.bus, VIRT.dram.base, options.hostBase, options.ramSize);
    this.devices = new VmDevices({
      clock: board.clock,
      onConsoleOutput: options.onConsoleOutput,
      consoleInput: options.consoleInput,
      ...(options.consoleLimit === undefined ? {} : { consoleLimit: options.consoleLimit }),
      ...(options.disk === undefined ? {} : { disk: options.disk, dma: this.memory.window }),
    });
    this.vcpu = new Vcpu(hart.hartId, {
      cycles: () => board.clock.cycles,
      instret: () => this.retired,
      time: () => board.clock.mtime,
    });
    const shared = options.sharedHart === true;
    const flush = (va: number | undefined, asid: number | undefined) => {
      if (asid !== undefined || !shared) host.flushTlb(va, asid);
      else for (const own of this.shadow.asids) host.flushTlb(va, own);
    };
    this.shadow = new ShadowPageTables(board.bus, this.memory, options.shadowPoolBase, options.shadowPoolPages, flush, undefined, options.asidBase ?? 0);
    this.#armTimer = options.armTimer ?? ((due) => host.setHostTimer(due));
    this.#sliceCycles = board.clock.cycles;
    this.#sliceRetired = host.retired;
  }

  /** Instructions of this VM retired: by the hart while it ran, and by the hypervisor for it. */
  get retired(): number {
    return this.retiredRun + (this.running ? this.#host.retired - this.#sliceRetired : 0) + this.emulated;
  }

  /** Lab cycles the hart spent on this VM (its slices, the hypervisor's work for it included). */
  get cycles(): number {
    return this.cyclesRun + (this.running ? this.#board.clock.cycles - this.#sliceCycles : 0);
  }

  /** Its time slice begins. */
  switchIn(): void {
    this.running = true;
    this.#sliceCycles = this.#board.clock.cycles;
    this.#sliceRetired = this.#host.retired;
  }

  /** Its time slice ends (`idle`: lab cycles of it the hart slept, not counted as the VM's). */
  switchOut(idle = 0): void {
    this.cyclesRun += this.#board.clock.cycles - this.#sliceCycles - idle;
    this.retiredRun += this.#host.retired - this.#sliceRetired;
    this.running = false;
  }

  /** Lab cycles of the current slice the hart slept: taken out of the VM's account. */
  discount(idle: number): void {
    this.#sliceCycles += idle;
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
    this.pollTimer();
    this.#armTimer(this.timerDue);
  }

  /** Raises STIP if the virtual timer is due, without arming anything (a VM not on the hart). */
  pollTimer(): void {
    const due = this.timerDue;
    if (due !== undefined && this.#board.clock.mtime >= due) {
      this.vcpu.setLine(IRQ.STI, true);
      this.timerDue = undefined;
    }
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
