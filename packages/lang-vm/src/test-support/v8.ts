/**
 * Node's own WebAssembly engine (V8), the real peer every test compares against. Typed here
 * because the workspace's TypeScript libs leave the global's JS API undeclared.
 */
export interface V8Instance {
  readonly exports: Record<string, unknown>;
}
export interface V8WebAssembly {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => V8Instance;
  RuntimeError: new (...args: unknown[]) => Error;
}
export const V8 = (globalThis as unknown as { WebAssembly: V8WebAssembly }).WebAssembly;
