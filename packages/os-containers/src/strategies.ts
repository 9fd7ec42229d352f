import { labStrategy, type LabOptions, type StrategyPackage } from '@virtlab/lab-kit';
import type { Strategy, Workload } from '@virtlab/strategy';
import { GuestJailError } from './errors.js';
import { checkBootable, parseJailConf } from './jail-conf.js';
import { ZoneLifecycle } from './lifecycle.js';
import type { JailSet } from './model.js';
import { parseZonecfg } from './zonecfg.js';
import { programFiles, runJailSet } from './run.js';

const jailName = (workload: string) => workload.replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * The host-provided configuration a workload runs under, as text: `os-containers/jail` writes a
 * jail.conf (own root tree, host name, devfs; raw disk access when the workload has a disk, as
 * osbench reads /dev/vda under native too), `os-containers/zone` a zonecfg with a capped pool —
 * the whole CPU through the cap machinery, 64 MiB resident, 24 processes. Both go through the
 * parsers and validators, like a user's file.
 */
export function workloadConfig(workload: Workload, argv: readonly string[], zone: boolean): string {
  const name = jailName(workload.name);
  const command = argv.join(' ');
  if (zone) {
    return [
      `create ${name}`,
      `set zonepath=/zones/${name}`,
      `set hostname=${name}.zone`,
      `set boot="${command}"`,
      ...(workload.disk === undefined ? [] : ['set limitpriv=raw_io']),
      'add capped-cpu',
      '  set ncpus=1',
      'end',
      'add capped-memory',
      '  set physical=64M',
      'end',
      'add rctl',
      '  set name=zone.max-processes',
      '  add value (priv=privileged,limit=24,action=deny)',
      'end',
      'commit',
      '',
    ].join('\n');
  }
  return [
    `${name} {`,
    `  path = /jails/${name};`,
    `  host.hostname = ${name}.jail;`,
    '  mount.devfs;',
    ...(workload.disk === undefined ? [] : ['  allow.raw_io;']),
    `  exec.start = "${command}";`,
    '}',
    '',
  ].join('\n');
}

function workloadSet(workload: Workload, argv: readonly string[], zone: boolean): JailSet {
  const text = workloadConfig(workload, argv, zone);
  return zone ? checkBootable(parseZonecfg(text, `${workload.name}.zonecfg`), 'zonecfg') : checkBootable(parseJailConf(text, `${workload.name}.jail.conf`), 'jail.conf');
}

/** The lifecycle the daemon reported, replayed through the state machine: legal, and every zone ends down. */
export function checkLifecycle(set: JailSet, reported: ReadonlyMap<string, readonly (readonly [string, number])[]>): void {
  for (const jail of set.jails) {
    if (!jail.zone) continue;
    const machine = new ZoneLifecycle(jail.name);
    machine.apply('install'); // the host built its root tree into the initrd
    for (const [state] of reported.get(jail.name) ?? []) machine.observe(state);
    if (machine.state !== 'down') throw new GuestJailError(`zone '${jail.name}' ended ${machine.state}, not down`);
  }
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
      const set = workloadSet(workload, [`/bin/${workload.name}`, ...(image.args ?? [size])], zone);
      const programs = programFiles({ [`/bin/${workload.name}`]: image.path });
      const result = await runJailSet(set, programs, { cost, run, ...(workload.disk === undefined ? {} : { disk: workload.disk }) });
      if (zone && result.stop === 'exit') checkLifecycle(set, result.lifecycle);
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
