import { describe, expect, it } from 'vitest';
import { Ns16550aUart } from './uart-ns16550a.js';

// Register offsets and bit values from the PC16550D data sheet (tables 2 and 4).
const THR = 0, RBR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;

function uart(input?: string) {
  const levels: boolean[] = [];
  const u = new Ns16550aUart({ input, irq: (l) => levels.push(l) });
  return { u, levels, r: (o: number) => u.read(o, 1), w: (o: number, v: number) => u.write(o, v, 1) };
}

describe('ns16550a UART', () => {
  it('transmits THR writes to the output and keeps THRE|TEMT set', () => {
    const seen: number[] = [];
    const u = new Ns16550aUart({ onTransmit: (b) => seen.push(b) });
    for (const c of 'hi\n') u.write(THR, c.charCodeAt(0), 1);
    expect(u.outputText()).toBe('hi\n');
    expect(seen).toEqual([0x68, 0x69, 0x0a]);
    expect(u.read(LSR, 1) & 0x60).toBe(0x60);
  });

  it('reports data ready in LSR bit 0 and hands input out in order through RBR', () => {
    const { r } = uart('ab');
    expect(r(LSR) & 1).toBe(1);
    expect(r(RBR)).toBe(0x61);
    expect(r(LSR) & 1).toBe(1);
    expect(r(RBR)).toBe(0x62);
    expect(r(LSR) & 1).toBe(0);
    expect(r(LSR)).toBe(0x60);
  });

  it('reads the reset values QEMU gives: IIR no interrupt, MSR DCD|DSR|CTS, LCR 0', () => {
    const { r } = uart();
    expect(r(IIR)).toBe(0x01);
    expect(r(MSR)).toBe(0xb0);
    expect(r(LCR)).toBe(0);
    expect(r(IER)).toBe(0);
  });

  it('switches offsets 0 and 1 to the divisor latch while LCR.DLAB is set', () => {
    const { u, r, w } = uart();
    w(LCR, 0x83); // DLAB + 8N1
    w(DLL, 0x01);
    w(DLM, 0x02);
    expect(r(DLL)).toBe(0x01);
    expect(r(DLM)).toBe(0x02);
    expect(u.output.length).toBe(0); // not transmitted
    w(LCR, 0x03);
    expect(r(IER)).toBe(0); // IER untouched by the DLM write
    w(THR, 0x41);
    expect(u.outputText()).toBe('A');
    w(LCR, 0x83);
    expect(r(DLL) | (r(DLM) << 8)).toBe(0x0201);
  });

  it('keeps the scratch register and masks IER to 4 bits and MCR to 5 bits', () => {
    const { r, w } = uart();
    w(SCR, 0xa5);
    expect(r(SCR)).toBe(0xa5);
    w(IER, 0xff);
    expect(r(IER)).toBe(0x0f);
    w(MCR, 0xff);
    expect(r(MCR)).toBe(0x1f);
  });

  it('raises the received-data interrupt when enabled and drops it once the data is read', () => {
    const { u, r, w } = uart('x');
    expect(u.irqLevel).toBe(false);
    w(IER, 0x01);
    expect(u.irqLevel).toBe(true);
    expect(r(IIR) & 0x0f).toBe(0x04);
    r(RBR);
    expect(u.irqLevel).toBe(false);
    expect(r(IIR) & 0x0f).toBe(0x01);
  });

  it('raises THRE on enable; reading IIR clears it; writing THR raises it again', () => {
    const { u, r, w } = uart();
    w(IER, 0x02);
    expect(u.irqLevel).toBe(true);
    expect(r(IIR)).toBe(0x02);
    expect(u.irqLevel).toBe(false);
    expect(r(IIR)).toBe(0x01);
    w(THR, 0x30);
    expect(u.irqLevel).toBe(true);
    w(IER, 0);
    expect(u.irqLevel).toBe(false);
  });

  it('gives received data priority over THRE in IIR', () => {
    const { r, w } = uart('q');
    w(IER, 0x03);
    expect(r(IIR) & 0x0f).toBe(0x04);
    r(RBR);
    expect(r(IIR) & 0x0f).toBe(0x02);
  });

  it('with the FIFO on, reports FIFO bits in IIR and RDA at the trigger level, timeout below it', () => {
    const { u, r, w } = uart('abcd');
    w(FCR, 0x41); // enable, trigger level 4
    w(IER, 0x01);
    expect(r(IIR)).toBe(0xc4);
    r(RBR);
    expect(r(IIR)).toBe(0xcc); // 3 bytes < trigger: character timeout
    r(RBR); r(RBR); r(RBR);
    expect(r(IIR)).toBe(0xc1);
    expect(u.irqLevel).toBe(false);
  });

  it('loops transmitted bytes back to the receiver and modem lines to MSR in loopback mode', () => {
    const { u, r, w } = uart();
    w(MCR, 0x10 | 0x03); // loop + DTR + RTS
    w(THR, 0x55);
    expect(u.output.length).toBe(0);
    expect(r(LSR) & 1).toBe(1);
    expect(r(RBR)).toBe(0x55);
    expect(r(MSR) & 0xf0).toBe(0x30); // DSR, CTS
  });

  it('ignores writes to LSR and MSR and garbage everywhere without throwing', () => {
    const { u, r, w } = uart();
    for (let o = 0; o < 0x100; o++) for (const v of [0, 0xff, 0xdeadbeef, -1]) w(o, v, );
    for (let o = 0; o < 0x100; o++) expect(() => r(o)).not.toThrow();
    expect(r(LSR) & 0x60).toBe(0x60);
    expect(u.output.length).toBeGreaterThan(0);
  });
  it('keeps at most outputLimit transmitted bytes and counts the rest as dropped', () => {
    const seen: number[] = [];
    const u = new Ns16550aUart({ outputLimit: 3, onTransmit: (b) => seen.push(b) });
    for (const c of 'flood') u.write(THR, c.charCodeAt(0), 1);
    expect(u.outputText()).toBe('flo');
    expect(seen).toEqual([0x66, 0x6c, 0x6f]);
    expect(u.droppedBytes).toBe(2);
    expect(() => new Ns16550aUart({ outputLimit: -1 })).toThrow(RangeError);
  });

  it('overruns the 16-byte receive FIFO in loopback mode instead of queueing without bound', () => {
    const { u, r, w } = uart();
    w(MCR, 0x10);
    for (let i = 0; i < 20; i++) w(THR, i);
    expect(u.droppedBytes).toBe(4);
    const got: number[] = [];
    while (r(LSR) & 1) got.push(r(RBR));
    expect(got).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });
});
