import { DEFAULT_RAM_SIZE } from '@virtlab/hw-model';
import { ConfigError, type SourcePosition } from './errors.js';
import { MACHINE } from './model.js';

/** Resident pages the board's RAM holds: a memory cap above this is above the machine. */
export const MACHINE_MEMORY_PAGES = DEFAULT_RAM_SIZE / MACHINE.pageSize;

export function parseBool(text: string, at: SourcePosition, key: string): boolean {
  if (text === 'true' || text === '1' || text === 'yes') return true;
  if (text === 'false' || text === '0' || text === 'no') return false;
  throw new ConfigError('bad-value', at, `${key}: '${text}' is not a boolean (true or false)`);
}

export function parseCount(text: string, at: SourcePosition, key: string, max: number, what: string): number {
  if (!/^\d{1,10}$/.test(text)) throw new ConfigError('bad-value', at, `${key}: '${text}' is not a whole number`);
  const value = Number(text);
  if (value > max) throw new ConfigError('above-machine', at, `${key}: ${value} is above the machine's ${max} ${what}`);
  return value;
}

const SUFFIX: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A memory size (bytes with an optional K/M/G suffix, as rctl(8) and zonecfg take) as pages. */
export function parseMemoryPages(text: string, at: SourcePosition, key: string): number {
  const match = /^(\d{1,12})([kKmMgG]?)[bB]?$/.exec(text);
  if (!match) throw new ConfigError('bad-value', at, `${key}: '${text}' is not a size (like 16M)`);
  const bytes = Number(match[1]) * (SUFFIX[(match[2] ?? '').toLowerCase()] ?? 1);
  if (bytes === 0 || bytes % MACHINE.pageSize !== 0) {
    throw new ConfigError('bad-value', at, `${key}: ${text} is not a positive multiple of the ${MACHINE.pageSize}-byte page`);
  }
  const pages = bytes / MACHINE.pageSize;
  if (pages > MACHINE_MEMORY_PAGES) {
    throw new ConfigError('above-machine', at, `${key}: ${text} is above the machine's ${DEFAULT_RAM_SIZE / 1024 ** 2} MiB of RAM`);
  }
  return pages;
}

export function checkName(text: string, at: SourcePosition, what: string): string {
  if (!/^[A-Za-z0-9_-]{1,31}$/.test(text)) {
    throw new ConfigError('bad-value', at, `${what} '${text}' must be 1-31 letters, digits, '_' or '-'`);
  }
  return text;
}

export function checkPath(text: string, at: SourcePosition, key: string): string {
  if (!text.startsWith('/') || text.length > MACHINE.pathLength || text.split('/').slice(1).some((p) => p === '' || p === '.' || p === '..')) {
    throw new ConfigError('bad-value', at, `${key}: '${text}' must be an absolute path without '.', '..' or '//' (at most ${MACHINE.pathLength} bytes)`);
  }
  if (text === '/') throw new ConfigError('bad-value', at, `${key}: the host's root cannot be a jail's root`);
  return text;
}

export function checkHostname(text: string, at: SourcePosition, key: string): string {
  if (!/^[A-Za-z0-9.-]{1,63}$/.test(text)) throw new ConfigError('bad-value', at, `${key}: '${text}' is not a host name (1-63 letters, digits, '.', '-')`);
  return text;
}

/** A command line (exec.start, zonecfg's boot): words split on spaces, within the daemon's bounds. */
export function parseCommand(text: string, at: SourcePosition, key: string): string[] {
  const argv = text.split(/\s+/).filter(Boolean);
  if (argv.length === 0 || !argv[0]?.startsWith('/')) throw new ConfigError('bad-value', at, `${key}: '${text}' must start with an absolute program path`);
  if (argv.length > MACHINE.args) throw new ConfigError('above-machine', at, `${key}: more than ${MACHINE.args} words`);
  const long = argv.find((word) => word.length > MACHINE.argLength);
  if (long !== undefined) throw new ConfigError('bad-value', at, `${key}: '${long}' is longer than ${MACHINE.argLength} bytes`);
  return argv;
}
