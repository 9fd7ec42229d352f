import { readFile } from 'node:fs/promises';
import { hostEngine, type Engine } from './engine.js';
import { runWasiModule } from './wasi-capture.js';

/** V8's own WebAssembly engine on the workload's wasm32-wasi image: the peer for lang-vm. */
export function v8WasmEngine(): Engine {
  const compiled = new Map<string, Promise<WebAssembly.Module>>();
  return hostEngine({
    name: 'v8-wasm',
    description: "Node's own WebAssembly (V8: Liftoff + TurboFan) on the wasm32-wasi image",
    target: 'wasm32-wasi',
    unavailable: undefined,
    async execute(image) {
      // Compilation is part of the engine's cost, but only once per process, as for a real host.
      let module = compiled.get(image.path);
      if (module === undefined) {
        module = readFile(image.path).then((bytes) => WebAssembly.compile(bytes));
        compiled.set(image.path, module);
      }
      return runWasiModule(await module, ['workload', ...(image.args ?? [])]);
    },
  });
}
