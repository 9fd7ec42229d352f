import { workloadByName } from '@virtlab/guest';
import { resolveCostModel } from '@virtlab/lab-kit';
import { imageFor } from '@virtlab/strategy';
import { beforeAll, describe, expect, it } from 'vitest';
import { ZoneLifecycle } from './lifecycle.js';
import { programFiles, runJailSet, type JailedRun } from './run.js';
import { parseZonecfg } from './zonecfg.js';

// A neighbour zone beside a CPU hog: the hog zone (three spinning processes) capped at 50 % by
// its pool. Tolerance: the hog's CPU time stays within 2 points of 50 % of the neighbour's run,
// and the neighbour (one process, uncapped) finishes within 2 × its time alone ± 5 % — it got
// its half. Without the cap, round-robin gives the hog three of four slices.
const sha = workloadByName('sha256');
const shaImage = imageFor(sha, 'rv32-process', 'test');
const programs = programFiles({ '/bin/sha256': shaImage?.path ?? '' });
const options = { cost: resolveCostModel('default'), run: { maxInstructions: 400_000_000, engine: 'interp' as const, profile: 'rv32ima' as const } };
const work = 'create work\nset zonepath=/zones/work\nset hostname=work.zone\nset boot="/bin/sha256 test"\ncommit\n';
const hog = (pool: string) => `create hog\nset zonepath=/zones/hog\nset boot="/bin/jattack cpuhog3"\nset primary=false\n${pool}commit\n`;

describe('a neighbour zone beside a CPU hog capped at 50 %', () => {
  const runs: Record<string, JailedRun> = {};
  beforeAll(async () => {
    const [alone, uncapped, capped] = await Promise.all(
      [work, work + hog(''), work + hog('add capped-cpu\n  set ncpus=0.5\nend\n')].map((text) => runJailSet(parseZonecfg(text), programs, options)),
    );
    Object.assign(runs, { alone, uncapped, capped });
  }, 180_000);

  const elapsed = (name: string) => runs[name]?.elapsedLabCycles[0] ?? NaN;
  const hogShare = (name: string) => (runs[name]?.accounting.get('hog')?.cpuLabCycles ?? NaN) / elapsed(name);

  it('keeps the neighbour\'s output intact (the catalog reference) in every run', () => {
    for (const r of Object.values(runs)) {
      expect(r.exitCode).toBe(0);
      expect(r.output.split('\n').filter((l) => !l.startsWith('@metric ')).join('\n')).toBe(sha.reference.test);
    }
  });
  it('without a cap the hog takes about three slices of four', () => {
    expect(hogShare('uncapped')).toBeGreaterThan(0.7);
    expect(elapsed('uncapped') / elapsed('alone')).toBeGreaterThan(3.5);
  });
  it('with ncpus=0.5 the hog gets 50 % (± 2 points) and the neighbour finishes in 2 × its time alone (± 5 %)', () => {
    expect(Math.abs(hogShare('capped') - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(elapsed('capped') / elapsed('alone') - 2)).toBeLessThan(0.1);
    expect(runs.capped?.accounting.get('hog')?.throttled).toBeGreaterThan(0);
  });
  it('the neighbour\'s CPU time is the same with and without the hog (accounting charges each zone its own)', () => {
    const cpu = (name: string) => runs[name]?.accounting.get('work')?.cpuLabCycles ?? NaN;
    expect(Math.abs(cpu('capped') / cpu('alone') - 1)).toBeLessThan(0.02);
  });
  it('the daemon\'s reported lifecycle is legal for both zones and ends down', () => {
    for (const zone of ['work', 'hog']) {
      const machine = new ZoneLifecycle(zone);
      machine.apply('install');
      const states = runs.capped?.lifecycle.get(zone) ?? [];
      for (const [state] of states) machine.observe(state);
      expect(machine.history).toEqual(['configured', 'installed', 'ready', 'running', 'shutting_down', 'down']);
      const cycles = states.map(([, at]) => at);
      expect([...cycles].sort((a, b) => a - b)).toEqual(cycles);
    }
  });
});
