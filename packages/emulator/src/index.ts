// Public entry of @virtlab/emulator: full-system emulation of the lab board with a dynamic binary translator.
export { DbtEngine } from './dbt-engine.js';
export type { DbtCounters, DbtOptions, TranslationHooks } from './dbt-engine.js';
export { ENGINE_KINDS, EngineError, createEngine, isEngineSpecificCounter } from './engine.js';
export type { Engine, EngineKind, EngineOptions } from './engine.js';
export { TranslationCache, TranslationCacheError } from './translation-cache.js';
export type { TranslationCacheOptions } from './translation-cache.js';
export { createEmulator, wasmRamFor } from './emulator.js';
export type { Emulator, EmulatorOptions } from './emulator.js';
export { emulatorStrategy } from './strategy.js';
export { WasmRam } from './wasm-region.js';
export { CALLOUT } from './translator.js';
export type { EmitHook, Emission } from './translator.js';
