import type { AccessWidth, MmioDevice } from './bus.js';
import type { IrqLine } from './irq-line.js';
import { unconnectedIrq } from './irq-line.js';

// Register offsets (PC16550D data sheet, table 2; QEMU hw/char/serial.c).
const RBR_THR_DLL = 0;
const IER_DLM = 1;
const IIR_FCR = 2;
const LCR = 3;
const MCR = 4;
const LSR = 5;
const MSR = 6;
const SCR = 7;

export const LSR_DR = 0x01; // data ready
export const LSR_OE = 0x02; // overrun error
export const LSR_THRE = 0x20; // transmit holding register empty
export const LSR_TEMT = 0x40; // transmitter empty

export const IER_RDI = 0x01; // received data available
export const IER_THRI = 0x02; // transmit holding register empty
export const IER_RLSI = 0x04; // receiver line status
export const IER_MSI = 0x08; // modem status

export const IIR_NO_INT = 0x01;
export const IIR_RLSI = 0x06;
export const IIR_RDI = 0x04;
export const IIR_CTI = 0x0c;
export const IIR_THRI = 0x02;
export const IIR_MSI = 0x00;
const IIR_FIFO_ENABLED = 0xc0;

const LCR_DLAB = 0x80;
const MCR_LOOP = 0x10;
const FCR_ENABLE = 0x01;
const FIFO_SIZE = 16;
/** Receive trigger levels selected by FCR bits 7:6. */
const TRIGGER_LEVELS = [1, 4, 8, 14] as const;

export interface UartOptions {
  readonly name?: string;
  /** Bytes waiting to be received, in order (the guest's stdin). */
  readonly input?: Uint8Array | string;
  /** Called with each transmitted byte, besides collecting it in `output`. */
  readonly onTransmit?: (byte: number) => void;
  readonly irq?: IrqLine;
  /**
   * At most this many transmitted bytes are kept (and passed to `onTransmit`); later ones are
   * dropped and counted in `droppedBytes`, so a guest that floods its console cannot grow the
   * host's memory. Default: unlimited.
   */
  readonly outputLimit?: number;
}

/**
 * The ns16550a UART of QEMU's virt machine (0x1000_0000, IRQ 10). Transmission is instantaneous,
 * as in QEMU with a chardev that always accepts: THR is empty again as soon as it is written, so
 * LSR always reads THRE|TEMT. Received bytes come from an input queue that the host fills; the
 * receive FIFO shows up to 16 of them and the rest wait in the queue (no overrun is modeled, so
 * no input is lost). With the FIFO enabled and fewer bytes than the trigger level, the line raises
 * the character-timeout interrupt at once: lab time has no idle character periods.
 */
export class Ns16550aUart implements MmioDevice {
  readonly name: string;
  /** Eight byte registers; QEMU maps just these 8 bytes of the 0x100 slot (serial_mm_init, regshift 0). */
  readonly size = 8;
  #ier = 0;
  #lcr = 0;
  #mcr = 0;
  #scr = 0;
  #fcr = 0;
  #divisor = 0x0c;
  /** THR-empty interrupt pending: set when THR empties, cleared by reading IIR or writing THR (16550 data sheet, table 4). */
  #thrIpending = false;
  readonly #inputQueue: number[] = [];
  #inputHead = 0;
  #out = new Uint8Array(256);
  #outLength = 0;
  readonly #onTransmit: ((byte: number) => void) | undefined;
  readonly #outputLimit: number;
  /** Transmitted bytes dropped past `outputLimit`, and loopback bytes dropped on a full receive FIFO. */
  droppedBytes = 0;
  readonly #irq: IrqLine;
  #irqLevel = false;

  constructor(options: UartOptions = {}) {
    this.name = options.name ?? 'uart0';
    this.#onTransmit = options.onTransmit;
    const limit = options.outputLimit ?? Infinity;
    if (!(limit >= 0)) throw new RangeError(`${this.name}: outputLimit must be a byte count >= 0, got ${String(options.outputLimit)}`);
    this.#outputLimit = limit;
    this.#irq = options.irq ?? unconnectedIrq;
    if (options.input !== undefined) this.pushInput(options.input);
  }

  /** Queues bytes for the guest to receive; raises the receive interrupt if enabled. */
  pushInput(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    for (const b of bytes) this.#inputQueue.push(b);
    this.#update();
  }

  /** Everything the guest has transmitted. */
  get output(): Uint8Array {
    return this.#out.subarray(0, this.#outLength);
  }

  /** The transmitted bytes as UTF-8 text. */
  outputText(): string {
    return new TextDecoder().decode(this.output);
  }

  /** Current level of the interrupt line. */
  get irqLevel(): boolean {
    return this.#irqLevel;
  }

  read(offset: number, _width: AccessWidth): number {
    switch (offset) {
      case RBR_THR_DLL:
        if (this.#lcr & LCR_DLAB) return this.#divisor & 0xff;
        return this.#receive();
      case IER_DLM:
        if (this.#lcr & LCR_DLAB) return (this.#divisor >>> 8) & 0xff;
        return this.#ier;
      case IIR_FCR: {
        const iir = this.#iir();
        // Reading IIR while it reports THRE clears that source (16550 data sheet, table 4).
        if (iir === IIR_THRI) {
          this.#thrIpending = false;
          this.#update();
        }
        return iir | (this.#fcr & FCR_ENABLE ? IIR_FIFO_ENABLED : 0);
      }
      case LCR:
        return this.#lcr;
      case MCR:
        return this.#mcr;
      case LSR:
        return this.#lsr();
      case MSR:
        return this.#msr();
      case SCR:
        return this.#scr;
      default:
        return 0;
    }
  }

  write(offset: number, value: number, _width: AccessWidth): void {
    const v = value & 0xff;
    switch (offset) {
      case RBR_THR_DLL:
        if (this.#lcr & LCR_DLAB) {
          this.#divisor = (this.#divisor & 0xff00) | v;
        } else {
          this.#transmit(v);
        }
        break;
      case IER_DLM:
        if (this.#lcr & LCR_DLAB) {
          this.#divisor = (this.#divisor & 0x00ff) | (v << 8);
        } else {
          const enablingThri = (v & IER_THRI) !== 0 && (this.#ier & IER_THRI) === 0;
          this.#ier = v & 0x0f;
          // Enabling THRI while THR is empty (always, here) raises it (QEMU serial_ioport_write).
          if (enablingThri) this.#thrIpending = true;
        }
        break;
      case IIR_FCR:
        // FCR bits 1 and 2 clear the FIFOs. The transmit FIFO is always empty; host input still in
        // the queue counts as not yet arrived, so clearing the receive FIFO loses none of it.
        this.#fcr = v & 0xc9;
        break;
      case LCR:
        this.#lcr = v;
        break;
      case MCR:
        this.#mcr = v & 0x1f;
        break;
      case SCR:
        this.#scr = v;
        break;
      default:
        // LSR and MSR are read-only; unknown offsets are ignored.
        break;
    }
    this.#update();
  }

  #transmit(byte: number): void {
    if (this.#mcr & MCR_LOOP) {
      // Loopback: the transmitter feeds the receiver (data sheet, MCR bit 4); a full FIFO overruns.
      if (this.#inputQueue.length - this.#inputHead < FIFO_SIZE) this.#inputQueue.push(byte);
      else this.droppedBytes++;
    } else if (this.#outLength >= this.#outputLimit) {
      this.droppedBytes++;
    } else {
      if (this.#outLength === this.#out.length) {
        const bigger = new Uint8Array(this.#out.length * 2);
        bigger.set(this.#out);
        this.#out = bigger;
      }
      this.#out[this.#outLength++] = byte;
      this.#onTransmit?.(byte);
    }
    // Writing THR clears the THRE interrupt; the byte leaves at once, so THR is empty again.
    this.#thrIpending = (this.#ier & IER_THRI) !== 0;
  }

  #receive(): number {
    if (this.#inputHead === this.#inputQueue.length) return 0;
    const byte = this.#inputQueue[this.#inputHead++]!;
    if (this.#inputHead === this.#inputQueue.length) {
      this.#inputQueue.length = 0;
      this.#inputHead = 0;
    }
    this.#update();
    return byte;
  }

  /** Bytes in the receive buffer: up to 16 with the FIFO on, 1 without; the rest wait in the queue. */
  #rxCount(): number {
    const waiting = this.#inputQueue.length - this.#inputHead;
    const capacity = this.#fcr & FCR_ENABLE ? FIFO_SIZE : 1;
    return waiting < capacity ? waiting : capacity;
  }

  #lsr(): number {
    return LSR_THRE | LSR_TEMT | (this.#rxCount() > 0 ? LSR_DR : 0);
  }

  #msr(): number {
    if (this.#mcr & MCR_LOOP) {
      // Loopback wires DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD (data sheet, MCR bit 4).
      const m = this.#mcr;
      return ((m & 0x02) << 3) | ((m & 0x01) << 5) | ((m & 0x04) << 4) | ((m & 0x08) << 4);
    }
    return 0xb0; // DCD, DSR, CTS asserted, as QEMU's serial_reset leaves them
  }

  /** The interrupt identification, highest priority first (data sheet, table 4). */
  #iir(): number {
    const ier = this.#ier;
    if (ier & IER_RDI && this.#rxCount() > 0) {
      if (this.#fcr & FCR_ENABLE) {
        const trigger = TRIGGER_LEVELS[(this.#fcr >>> 6) & 3]!;
        return this.#rxCount() >= trigger ? IIR_RDI : IIR_CTI;
      }
      return IIR_RDI;
    }
    if (ier & IER_THRI && this.#thrIpending) return IIR_THRI;
    return IIR_NO_INT;
  }

  #update(): void {
    const level = this.#iir() !== IIR_NO_INT;
    if (level !== this.#irqLevel) {
      this.#irqLevel = level;
      this.#irq(level);
    }
  }
}
