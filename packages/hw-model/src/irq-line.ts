/**
 * An interrupt wire from a device to the interrupt controller. The device calls it with the level
 * of its line whenever its state may have changed; the controller ignores repeats.
 */
export type IrqLine = (level: boolean) => void;

/** A line that goes nowhere (a device used alone, in tests). */
export const unconnectedIrq: IrqLine = () => undefined;
