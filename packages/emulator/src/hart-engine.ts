import { Hart } from '@virtlab/cpu-core';
import type { HartOptions } from '@virtlab/cpu-core';
import type { HartPlatform } from '@virtlab/hw-model';

/**
 * What both engines share: a cpu-core hart whose pc, privilege and registers are the engine's,
 * in the shape hw-model's `runMachine` drives.
 */
export abstract class HartEngine {
  readonly hart: Hart;

  constructor(platform: HartPlatform, options: HartOptions) {
    this.hart = new Hart(platform, options);
  }

  get pc(): number {
    return this.hart.pc;
  }

  set pc(v: number) {
    this.hart.pc = v | 0;
  }

  get priv(): 0 | 1 | 3 {
    return this.hart.priv;
  }

  set priv(p: 0 | 1 | 3) {
    this.hart.priv = p;
    this.hart.refreshModes();
  }

  get regs(): Int32Array {
    return this.hart.regs;
  }
}
