import { fileURLToPath } from 'node:url';
import type { Workload } from '../types.js';
import { TOY_TARGET } from './toy-strategy.js';

const fixture = (file: string) => fileURLToPath(new URL(`../../test-fixtures/${file}`, import.meta.url));

export const toyWorkloads: Workload[] = [
  {
    name: 'hello',
    description: 'prints two lines and a metric',
    sizes: ['test'],
    images: [{ target: TOY_TARGET, size: 'test', path: fixture('hello.toy') }],
    // The metric line of the run differs from this one on purpose: metric lines are not compared.
    reference: { test: 'hello, lab\nchecksum 0x1234abcd\n@metric elapsed 1 cycles\n' },
  },
  {
    name: 'exit-three',
    description: 'prints one line and exits with status 3',
    sizes: ['test'],
    images: [{ target: TOY_TARGET, size: 'test', path: fixture('exit-three.toy') }],
    reference: { test: 'bye\n' },
    expectedExitCode: 3,
  },
];
