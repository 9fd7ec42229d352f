import { cpus, platform, release, totalmem } from 'node:os';
import type { BenchMachine } from './record.js';

export function describeMachine(): BenchMachine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown CPU',
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.versions.node,
    platform: `${platform()} ${release()}`,
  };
}
