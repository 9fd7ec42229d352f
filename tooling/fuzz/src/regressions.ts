/**
 * Findings of the fuzz targets, minimized, kept as regression inputs: each must now get the
 * verdict given (a typed rejection or acceptance), never a crash or a disagreement. Hex bytes.
 */
export interface Regression {
  readonly target: string;
  readonly name: string;
  readonly hex: string;
  readonly outcome: 'accepted' | 'rejected';
}

export const REGRESSIONS: readonly Regression[] = [
  // lang-vm defects the lang-vm target hit (issue 18; fixed on the langvm branch), minimized.
  { target: 'lang-vm', name: 'exports "\\uFEFFa" and "a" are distinct names (the BOM was stripped: duplicate export)', hex: '0061736d010000000104016000000303020000070c0204efbbbf610000016100010a070202000b02000b', outcome: 'accepted' },
  { target: 'lang-vm', name: '(func (block (nop))) instantiates on the JS tier (was a SyntaxError in the generated code)', hex: '0061736d0100000001040160000003020100070501016600000a080106000240010b0b', outcome: 'accepted' },
  { target: 'lang-vm', name: '(func (block (block (nop)))) instantiates on the JS tier (was a TypeError)', hex: '0061736d0100000001040160000003020100070501016600000a0b01090002400240010b0b0b', outcome: 'accepted' },
  { target: 'lang-vm', name: '(table 20000000 funcref): a typed refusal over the caps (was a RangeError)', hex: '0061736d01000000040701700080dac409', outcome: 'rejected' },
];

export const bytesOf = (hex: string) => Uint8Array.from(hex.match(/[0-9a-f]{2}/gi) ?? [], (h) => Number.parseInt(h, 16));
