import { describe, expect, it } from 'vitest';
import { describeDifference, firstDifference, outputsEquivalent, parseMetricLines, stripMetricLines } from './equivalence.js';

describe('output equivalence', () => {
  it('removes lines that begin with "@metric " and nothing else', () => {
    const out = 'a\n@metric t 12 cycles\nb\n @metric not-a-metric\n@metricx\n';
    expect(stripMetricLines(out)).toBe('a\nb\n @metric not-a-metric\n@metricx\n');
  });

  it('treats outputs that differ only in metric lines as equivalent', () => {
    expect(outputsEquivalent('x\n@metric a 1\ny\n', 'x\ny\n@metric a 2\n@metric b 3\n')).toBe(true);
  });

  it('is byte-exact otherwise', () => {
    expect(outputsEquivalent('x\n', 'x')).toBe(false);
    expect(outputsEquivalent('x\r\n', 'x\n')).toBe(false);
    expect(outputsEquivalent('x \n', 'x\n')).toBe(false);
  });

  it('names the first differing line', () => {
    const d = firstDifference('one\ntwo\nthree\n', '@metric m 1\none\ntwO\nthree\n');
    expect(d).toEqual({ line: 2, expected: 'two', actual: 'twO' });
    expect(describeDifference(d!)).toBe('line 2: expected "two", got "twO"');
  });

  it('reports a missing tail as the end of output', () => {
    const d = firstDifference('a\nb\n', 'a\n');
    expect(d).toEqual({ line: 2, expected: 'b', actual: '' });
    const e = firstDifference('a', 'a\nextra');
    expect(e).toEqual({ line: 2, expected: undefined, actual: 'extra' });
    expect(describeDifference(e!)).toBe('line 2: expected <end of output>, got "extra"');
  });

  it('parses metric lines', () => {
    expect(parseMetricLines('x\n@metric null_syscall 412 cycles\n@metric bad nope\n@metric fork 9\n')).toEqual([
      { name: 'null_syscall', value: 412, unit: 'cycles' },
      { name: 'fork', value: 9 },
    ]);
  });
});
