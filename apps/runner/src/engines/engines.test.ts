import { workloads } from '@virtlab/guest';
import { describeStrategyConformance } from '@virtlab/strategy/conformance';
import { describe, it } from 'vitest';
import { cpuCoreEngine } from './cpu-core.js';
import { hostNativeEngine } from './host-native.js';
import { qemuEngine } from './qemu.js';
import { v8WasmEngine } from './v8-wasm.js';

// Host engines against the same references; QEMU and cc skip with the reason where absent.
const few = workloads.filter((w) => ['crc32', 'sha256', 'nqueens'].includes(w.name));
describeStrategyConformance({ strategy: v8WasmEngine(), workloads });
describeStrategyConformance({ strategy: cpuCoreEngine(), workloads: few });
for (const engine of [hostNativeEngine(undefined), qemuEngine()]) {
  if (engine.unavailable === undefined) describeStrategyConformance({ strategy: engine, workloads: few });
  else describe(engine.name, () => it.skip(`skipped: ${engine.unavailable}`));
}
