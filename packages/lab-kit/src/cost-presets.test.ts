import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COST_SCALAR_KEYS, CostModelError, DEFAULT_COST_MODEL } from '@virtlab/hw-model';
import { COST_MODEL_FILE_MAX_BYTES, COST_PRESETS, COST_PRESET_NAMES, STANDARD_EVENTS, resolveCostModel } from './cost-presets.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-cost-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('cost-model presets', () => {
  it('are default, vtx-2006 and modern, each pricing every standard event', () => {
    expect(COST_PRESET_NAMES).toEqual(['default', 'vtx-2006', 'modern']);
    for (const preset of COST_PRESETS) expect(Object.keys(preset.events).sort()).toEqual(Object.keys(STANDARD_EVENTS).sort());
  });

  it('change the prices of events and nothing else', () => {
    for (const name of COST_PRESET_NAMES) {
      const model = resolveCostModel(name);
      expect(model.instruction).toEqual(DEFAULT_COST_MODEL.instruction);
      for (const key of COST_SCALAR_KEYS) expect(model[key]).toBe(DEFAULT_COST_MODEL[key]);
    }
  });

  it('price a world switch as the issue and the sources say: ~1000+ on first-generation VT-x, a few hundred today', () => {
    const exit = (name: string) => resolveCostModel(name).events['vm.exit']!;
    expect(exit('vtx-2006')).toBeGreaterThanOrEqual(1000);
    expect(exit('modern')).toBeGreaterThanOrEqual(100);
    expect(exit('modern')).toBeLessThan(1000);
    // The software monitor's default: 31 register stores and loads plus 8 CSR accesses at the default prices (1, 2, 2).
    expect(exit('default')).toBe(31 * 1 + 31 * 2 + 8 * 2);
  });
});

describe('a cost model from a JSON file', () => {
  it('overrides the keys it names and keeps the default for the rest', () => {
    const model = resolveCostModel(file('ok.json', JSON.stringify({ trapEntry: 35, instruction: { div: 40 }, events: { 'x.y': 7 } })));
    expect(model.trapEntry).toBe(35);
    expect(model.instruction.div).toBe(40);
    expect(model.instruction.mul).toBe(DEFAULT_COST_MODEL.instruction.mul);
    expect(model.events).toEqual({ 'vm.exit': resolveCostModel('default').events['vm.exit'], 'x.y': 7 });
  });

  it('refuses an unknown key, naming it and the file', () => {
    const path = file('typo.json', JSON.stringify({ trapEntri: 35 }));
    expect(() => resolveCostModel(path)).toThrow(CostModelError);
    expect(() => resolveCostModel(path)).toThrow(/typo\.json.*unknown key 'trapEntri'/);
  });

  it('refuses an unknown instruction class and a bad price, naming the key', () => {
    expect(() => resolveCostModel(file('cls.json', JSON.stringify({ instruction: { fpu: 3 } })))).toThrow(/unknown instruction class 'instruction\.fpu'/);
    expect(() => resolveCostModel(file('neg.json', JSON.stringify({ mmioAccess: -1 })))).toThrow(/cost 'mmioAccess' must be a non-negative integer/);
    expect(() => resolveCostModel(file('frac.json', JSON.stringify({ events: { 'vm.exit': 1.5 } })))).toThrow(/cost 'events\.vm\.exit'/);
  });

  it('refuses a file that is not a JSON object, or not there, and an unknown preset', () => {
    expect(() => resolveCostModel(file('bad.json', '{ nope'))).toThrow(/bad\.json' is not JSON/);
    expect(() => resolveCostModel(file('arr.json', '[1]'))).toThrow(/a cost model is a JSON object, got an array/);
    expect(() => resolveCostModel(join(dir, 'absent.json'))).toThrow(/absent\.json' cannot be read/);
    expect(() => resolveCostModel('vtx-2099')).toThrow(/unknown cost model 'vtx-2099': a preset \(default, vtx-2006, modern\)/);
  });

  it('hostile files: too large, not a regular file, not UTF-8, bad JSON placed by line and column, __proto__ keys', () => {
    const big = file('big.json', `{"events": {${'"e": 1, '.repeat(COST_MODEL_FILE_MAX_BYTES / 8)}"z": 1}}`);
    expect(() => resolveCostModel(big)).toThrow(new CostModelError(`cost model file '${big}' is ${COST_MODEL_FILE_MAX_BYTES + 20} bytes, more than the ${COST_MODEL_FILE_MAX_BYTES} bytes it may have`));
    const fifo = join(dir, 'dir.json');
    mkdirSync(fifo);
    expect(() => resolveCostModel(fifo)).toThrow(/dir\.json' is a directory, not a regular file/);
    writeFileSync(join(dir, 'latin1.json'), Buffer.from('{"events": {"\xe9": 1}}', 'latin1'));
    expect(() => resolveCostModel(join(dir, 'latin1.json'))).toThrow(/latin1\.json' is not UTF-8 text/);
    expect(() => resolveCostModel(file('lines.json', '{\n  "trapEntry": 30,\n  "wfi": 1,,\n}'))).toThrow(/lines\.json' is not JSON at line 3, column 12/);
    expect(() => resolveCostModel(file('proto.json', '{"__proto__": {"trapEntry": 1}}'))).toThrow(/unknown key '__proto__'/);
    const model = resolveCostModel(file('proto-event.json', '{"events": {"__proto__": 5}}'));
    expect(Object.getPrototypeOf(model.events)).toBe(Object.prototype); // an own key, not a prototype change
    expect(Object.hasOwn(model.events, '__proto__')).toBe(true);
  });
});
