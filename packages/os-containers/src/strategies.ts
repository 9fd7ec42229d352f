import { labStrategy, type LabOptions, type StrategyPackage } from '@virtlab/lab-kit';
import type { Strategy, Workload, WorkloadImage } from '@virtlab/strategy';
import type { JailSet, JailSpec } from './model.js';
import { programFiles, runJailSet } from './run.js';

const jailName = (workload: string) => workload.replace(/[^A-Za-z0-9_.-]/g, '_');

/** The workload's own jail: its root tree under /jails/<name>, devfs, raw disk access (osbench reads /dev/vda, as under native). */
export function workloadJail(workload: Workload, zone: boolean): JailSpec {
  const name = jailName(workload.name);
  return {
    name,
    fullName: name,
    parent: -1,
    path: `/${zone ? 'zones' : 'jails'}/${name}`,
    hostname: `${name}.${zone ? 'zone' : 'jail'}`,
    allow: workload.disk === undefined ? [] : ['raw_io'],
    devfs: true,
    childrenMax: 0,
    zone,
    line: 0,
    // A zone is capped: a resource pool of the whole CPU and 64 MiB of resident memory, 24 processes.
    ...(zone ? { cpuPercent: 100, memoryPages: 16384, maxproc: 24 } : {}),
  };
}

function workloadSet(workload: Workload, image: WorkloadImage, args: readonly string[], zone: boolean): JailSet {
  return { jails: [workloadJail(workload, zone)], runs: [{ jail: 0, primary: true, argv: [`/bin/${workload.name}`, ...args] }] };
}

function containerStrategy(zone: boolean, options: LabOptions): Strategy {
  return labStrategy({
    name: zone ? 'os-containers/zone' : 'os-containers/jail',
    description: zone
      ? 'the guest kernel on the lab board, the workload in a zone (a jail with a capped resource pool) booted by the in-guest zone daemon'
      : 'the guest kernel on the lab board, the workload in a jail (own root tree, host name, process view) started by the in-guest jail daemon',
    target: 'rv32-process',
    options,
    async execute({ image, workload, size, cost, run }) {
      const set = workloadSet(workload, image, image.args ?? [size], zone);
      const programs = programFiles({ [`/bin/${workload.name}`]: image.path });
      const result = await runJailSet(set, programs, { cost, run, ...(workload.disk === undefined ? {} : { disk: workload.disk }) });
      return { output: result.output, exitCode: result.exitCode, stop: result.stop, labCycles: result.labCycles, instructions: result.instructions, counters: result.counters };
    },
  });
}

/** `os-containers/jail`: a workload inside a jail. */
export const jailStrategy = (options: LabOptions = {}): Strategy => containerStrategy(false, options);
/** `os-containers/zone`: a workload inside a capped zone. */
export const zoneStrategy = (options: LabOptions = {}): Strategy => containerStrategy(true, options);

/** The package for the runner's list. */
export const osContainers: StrategyPackage = {
  name: '@virtlab/os-containers',
  strategies: (options) => [jailStrategy(options), zoneStrategy(options)],
};
