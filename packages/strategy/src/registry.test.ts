import { describe, expect, it } from 'vitest';
import { DuplicateNameError, UnknownNameError } from './errors.js';
import { Registry } from './registry.js';
import { toyStrategy } from './test-support/toy-strategy.js';
import { toyWorkloads } from './test-support/toy-workloads.js';

describe('Registry', () => {
  it('finds registered strategies and workloads by name and view', () => {
    const registry = new Registry().registerStrategy(toyStrategy());
    for (const w of toyWorkloads) registry.registerWorkload(w);
    expect(registry.strategies.get('toy').view).toBe('lab');
    expect(registry.strategiesOf('lab').map((s) => s.name)).toEqual(['toy']);
    expect(registry.strategiesOf('host')).toEqual([]);
    expect(registry.workloads.select(['exit-three', 'hello']).map((w) => w.name)).toEqual(['exit-three', 'hello']);
  });

  it('rejects an unknown name with the list of known ones', () => {
    const registry = new Registry().registerStrategy(toyStrategy()).registerStrategy(toyStrategy({ name: 'toy2' }));
    expect(() => registry.strategies.get('vmm-ful')).toThrow(UnknownNameError);
    expect(() => registry.strategies.get('vmm-ful')).toThrow("unknown strategy 'vmm-ful'; known: toy, toy2");
  });

  it('rejects a duplicate registration', () => {
    const registry = new Registry().registerStrategy(toyStrategy());
    expect(() => registry.registerStrategy(toyStrategy())).toThrow(DuplicateNameError);
  });
});
