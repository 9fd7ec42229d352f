export { Bus, BusConfigError, BusError } from './bus.js';
export type { AccessWidth, MmioDevice, RamWriteListener } from './bus.js';
export { LabClock } from './clock.js';
export { CostModelError, DEFAULT_COST_MODEL, INSTRUCTION_CLASSES, costModel } from './cost-model.js';
export type { CostModel, InstructionClass } from './cost-model.js';
export { HaltState, IRQ_MEIP, IRQ_MSIP, IRQ_MTIP, IRQ_SEIP } from './platform.js';
export type { HaltReason, HartPlatform } from './platform.js';
