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

export const REGRESSIONS: readonly Regression[] = [];

export const bytesOf = (hex: string) => Uint8Array.from(hex.match(/[0-9a-f]{2}/gi) ?? [], (h) => Number.parseInt(h, 16));
