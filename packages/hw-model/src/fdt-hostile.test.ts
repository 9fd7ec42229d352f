// The device-tree decoder on blobs built to hurt it (issue 19): every block bounded by totalsize,
// tokens bounded by the structure block, property names by the spec's 31 characters, nesting by
// 64 levels; each refusal an FdtError naming the offset, in time linear in the blob.
import { describe, expect, it } from 'vitest';
import { FdtError, decodeFdt, encodeFdt, node } from './fdt.js';
import { timedError } from './test-support/tools.js';
import { virtDeviceTreeBlob } from './virt-device-tree.js';

const be = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const base = () => virtDeviceTreeBlob({ ramSize: 128 << 20, timebaseFrequency: 10_000_000, bootargs: 'console=ttyS0' });
const H = { total: 4, offStruct: 8, offStrings: 12, sizeStrings: 32, sizeStruct: 36 } as const;

/** A blob of the tree `/` with `count` properties whose name offsets are 0, 1, 2, ... of one long string. */
function overlappingPropertyNames(count: number, nameLength: number): Uint8Array {
  const struct: number[] = [1, 0]; // FDT_BEGIN_NODE, "" padded
  for (let i = 0; i < count; i++) struct.push(3, 0, i % nameLength); // FDT_PROP, len 0, nameoff
  struct.push(2, 9); // FDT_END_NODE, FDT_END
  const strings = new Uint8Array(nameLength + 1).fill(0x61);
  strings[nameLength] = 0;
  const offStruct = 40 + 16;
  const offStrings = offStruct + struct.length * 4;
  const blob = new Uint8Array(offStrings + strings.length);
  const v = be(blob);
  [0xd00dfeed, blob.length, offStruct, offStrings, 40, 17, 16, 0, strings.length, struct.length * 4].forEach((x, i) => v.setUint32(4 * i, x));
  struct.forEach((x, i) => v.setUint32(offStruct + 4 * i, x));
  blob.set(strings, offStrings);
  return blob;
}


describe('decodeFdt on hostile blobs', () => {
  it('a strings block larger than the blob is refused before any name is read (it used to scan 4 GiB)', () => {
    const blob = base();
    be(blob).setUint32(H.sizeStrings, 0xffff_fff0);
    const r = timedError(() => decodeFdt(blob));
    expect(r.error).toBeInstanceOf(FdtError);
    expect((r.error as Error).message).toMatch(/^strings block 0x[0-9a-f]+ \+ 0xfffffff0 is not inside the blob's totalsize/);
    expect(r.ms).toBeLessThan(1000);
  });

  it('a structure block past totalsize, or a header claiming less than itself, is refused', () => {
    const blob = base();
    be(blob).setUint32(H.sizeStruct, blob.length);
    expect(() => decodeFdt(blob)).toThrow(/^structure block 0x38 \+ 0x[0-9a-f]+ is not inside the blob's totalsize/);
    const small = base();
    be(small).setUint32(H.total, 8);
    expect(() => decodeFdt(small)).toThrow(new FdtError('totalsize 0x8 is smaller than the 40-byte header'));
  });

  it('a property whose value runs past the structure block names its offset', () => {
    const tree = encodeFdt(node('', [['a', [1]]]));
    // The first FDT_PROP token of the tree is right after the root's begin token and empty name.
    be(tree).setUint32(56 + 8 + 4, 0x7fff_ffff);
    expect(() => decodeFdt(tree)).toThrow(new FdtError('property at 0x40 (2147483647 bytes) runs past the end of the structure block (0x58)'));
  });

  it('property names longer than the spec allows are refused; 31 characters are fine', () => {
    expect(decodeFdt(overlappingPropertyNames(3, 31)).props.map(([n]) => n.length)).toEqual([31, 30, 29]);
    const r = timedError(() => decodeFdt(overlappingPropertyNames(40_000, 200_000)));
    expect(r.error).toBeInstanceOf(FdtError);
    expect((r.error as Error).message).toBe(
      'property at 0x40: its name at strings offset 0 has no NUL within 31 characters (spec 2.2.4.1) or before the end of the strings block',
    );
    expect(r.ms).toBeLessThan(1000);
  });

  it('nesting deeper than 64 levels is refused, at the offset of the node', () => {
    let tree = node('leaf', []);
    for (let i = 0; i < 70; i++) tree = node(i === 69 ? '' : `n${i}`, [], [tree]);
    expect(() => decodeFdt(encodeFdt(tree))).toThrow(/^node at 0x[0-9a-f]+ nests deeper than 64 levels$/);
  });

  it('every truncation of the board tree is an FdtError, never another exception', () => {
    const blob = base();
    for (let n = 0; n < blob.length; n += 7) {
      const cut = blob.slice(0, n);
      if (n >= 40) be(cut).setUint32(H.total, n);
      expect(() => decodeFdt(cut)).toThrow(FdtError);
    }
  });
});
