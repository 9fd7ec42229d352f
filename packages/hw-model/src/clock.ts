/** Lab cycles per mtime tick on a board that names no other ratio (`VirtBoardOptions.cyclesPerTick`). */
export const DEFAULT_CYCLES_PER_TICK = 10;

/**
 * Lab time. The hart advances `cycles` by the cost model; devices read time only through here, so
 * mtime is derived from lab cycles and never from the host clock (ARCHITECTURE.md, determinism).
 */
export class LabClock {
  /** Lab cycles spent since reset. A double holds integers exactly up to 2^53. */
  cycles = 0;

  constructor(
    /** Lab cycles per mtime tick. */
    readonly cyclesPerTick: number = DEFAULT_CYCLES_PER_TICK,
    /** The `timebase-frequency` advertised in the device tree (ticks per guest second). */
    readonly timebaseFrequency: number = 10_000_000,
  ) {
    if (!Number.isInteger(cyclesPerTick) || cyclesPerTick <= 0) {
      throw new RangeError(`cyclesPerTick must be a positive integer, got ${cyclesPerTick}`);
    }
  }

  /** mtime: whole ticks elapsed. */
  get mtime(): number {
    return Math.floor(this.cycles / this.cyclesPerTick);
  }

  /** The first lab cycle at which mtime reaches `tick`. */
  cycleOfTick(tick: number): number {
    return tick * this.cyclesPerTick;
  }
}
