// Public entry of @virtlab/lang-vm: a WebAssembly 2.0 engine (no SIMD) with metering.
export { CompileError, DecodeError, FuelExhausted, ImplementationLimitError, LinkError, Trap, ValidationError, WasmError } from './errors.js';
export type { TrapKind, WasmFrame } from './errors.js';
export { Instance, Module, compile, instantiate, validate } from './instance.js';
export type { BufferSource, CallResult, Imports, InstanceOptions } from './instance.js';
export { Global, Memory, Table } from './runtime.js';
export type { GlobalDescriptor, MemoryDescriptor, TableDescriptor } from './runtime.js';
export { decodeModule } from './decoder.js';
export { validateModule } from './validator.js';
export type { CompiledModule } from './validator.js';
export type * from './types.js';
export { ProcExit, Wasi } from './wasi.js';
export type { WasiOptions } from './wasi.js';
export { langVmStrategy, makeLangVmStrategy } from './strategy.js';
