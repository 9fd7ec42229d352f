// Public entry of @virtlab/lab-kit: what every lab-view strategy shares.
export { COST_MODEL_FILE_MAX_BYTES, COST_PRESETS, COST_PRESET_NAMES, STANDARD_EVENTS, costModelFromJson, resolveCostModel } from './cost-presets.js';
export { InputFileError, jsonErrorOffset, lineAndColumn, parseJsonText, readInputFile, readJsonFile } from './input-file.js';
export type { CostPreset, StandardEvent } from './cost-presets.js';
export { GUEST_KERNEL, initBootargs, kernelBoard, readKernelImages, readPrivateDisk } from './kernel-boot.js';
export type { KernelImageBytes, KernelImages } from './kernel-boot.js';
export { ISA_PROFILE_NAMES, LabOptionsError, parseProfile } from './lab-options.js';
export type { IsaProfileName, LabOptions, StrategyPackage } from './lab-options.js';
export { DEFAULT_LAB_BUDGET, LAB_CHUNK_STEPS, LabRunError, exitCodeOf, labRunOf, runInChunks, runOnBoard, stopOf } from './lab-run.js';
export type { LabRun, RunOnBoardOptions } from './lab-run.js';
export { LAB_COUNTERS, labStrategy } from './lab-strategy.js';
export type { LabRunContext, LabStrategySpec } from './lab-strategy.js';
export { GuestMemory, GuestMemoryError } from './guest-memory.js';
export { VmBootError, loadVm } from './vm-boot.js';
export type { VmBootState, VmImages } from './vm-boot.js';
export { HostPort } from './host-port.js';
export { EMULATED_INSTRUCTIONS, directShare } from './efficiency.js';
