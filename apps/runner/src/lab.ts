import { emulatorStrategy } from '@virtlab/emulator';
import { workloads as guestWorkloads, osWorkloads } from '@virtlab/guest';
import { langVmStrategy } from '@virtlab/lang-vm';
import { Registry, type Strategy, type Workload } from '@virtlab/strategy';
import { cpuCoreEngine } from './engines/cpu-core.js';
import type { Engine } from './engines/engine.js';
import { hostNativeEngine } from './engines/host-native.js';
import { qemuEngine } from './engines/qemu.js';
import { v8WasmEngine } from './engines/v8-wasm.js';
import type { LabOptions as StrategyOptions } from '@virtlab/lab-kit';
import { STRATEGY_PACKAGES } from './strategy-packages.js';

/** Options that every worker thread rebuilds the same lab from (plain data: it crosses threads). */
export interface LabOptions extends StrategyOptions {
  /** Where `host-native` keeps the binaries it compiled for this bench run. */
  readonly hostNativeDir?: string;
}

export interface Lab {
  readonly registry: Registry;
  /** Strategies and engines that cannot run on this machine, with the reason. */
  readonly unavailable: ReadonlyMap<string, string>;
}

/** Lab-view strategies first, then host-view engines, each in the order the tables show them. */
function strategies(options: LabOptions): Strategy[] {
  const { hostNativeDir: _host, ...strategyOptions } = options;
  return STRATEGY_PACKAGES.flatMap((p) => p.strategies(strategyOptions));
}

function engines(options: LabOptions): Engine[] {
  // lang-vm ships its own host-view strategy; it always runs (pure TypeScript).
  const langVm: Engine = { ...langVmStrategy, unavailable: undefined, target: 'wasm32-wasi' };
  const emulator: Engine = { ...emulatorStrategy('dbt'), unavailable: undefined, target: 'rv32-bare' };
  return [hostNativeEngine(options.hostNativeDir), v8WasmEngine(), langVm, cpuCoreEngine(), emulator, qemuEngine()];
}

/** The compute suite, then the OS suite (osbench: the lab view's OS table). */
function workloads(): readonly Workload[] {
  return [...guestWorkloads, ...osWorkloads];
}

/** Assembles every strategy, engine and workload the runner knows. */
export function createLab(options: LabOptions = {}): Promise<Lab> {
  const registry = new Registry();
  const unavailable = new Map<string, string>();
  for (const s of strategies(options)) registry.registerStrategy(s);
  for (const e of engines(options)) {
    registry.registerStrategy(e);
    if (e.unavailable !== undefined) unavailable.set(e.name, e.unavailable);
  }
  for (const w of workloads()) registry.registerWorkload(w);
  return Promise.resolve({ registry, unavailable });
}
