import { ConfigError, type SourcePosition } from './errors.js';
import { tokenize, type Token } from './lexer.js';
import { MACHINE, type AllowName, type JailSet, type JailSpec, type RunSpec } from './model.js';
import { checkHostname, checkName, checkPath, parseBool, parseCommand, parseCount, parseMemoryPages } from './values.js';

/**
 * The parameters a jail.conf here takes. FreeBSD's jail.conf(5) names where they exist
 * (path, host.hostname, allow.*, mount.devfs, children.max, exec.start); the rctl(8) limits are
 * written `rctl.<resource>` beside them; `exec.daemon` marks a run the daemon stops once the
 * others end (a neighbour, not the workload).
 */
export const JAIL_CONF_KEYS = [
  'path',
  'host.hostname',
  'allow.set_hostname',
  'allow.raw_io',
  'mount.devfs',
  'children.max',
  'exec.start',
  'exec.daemon',
  'rctl.maxproc',
  'rctl.memoryuse',
  'rctl.openfiles',
  'rctl.pcpu',
] as const;
type Key = (typeof JAIL_CONF_KEYS)[number];

interface Param {
  readonly key: Key;
  readonly value: string;
  readonly keyAt: SourcePosition;
  readonly valueAt: SourcePosition;
}

interface RawJail {
  readonly fullName: string;
  readonly at: SourcePosition;
  readonly params: Map<Key, Param>;
}

const position = (file: string, token: Token): SourcePosition => ({ file, line: token.line, column: token.column });

function closest(key: string): string {
  const near = JAIL_CONF_KEYS.filter((k) => k.split('.')[0] === key.split('.')[0] || k.split('.').pop() === key.split('.').pop());
  return near.length ? ` (did you mean ${near.join(', ')}?)` : '';
}

/** One parameter statement: `key;`, `key = value;`, or the FreeBSD `allow.noX;` for false. */
function parseParam(tokens: Token[], k: number, file: string): { param: Param; next: number } {
  const keyToken = tokens[k] as Token;
  const keyAt = position(file, keyToken);
  let key = keyToken.text;
  let implied: string | undefined;
  if (/^allow\.no/.test(key) && (JAIL_CONF_KEYS as readonly string[]).includes(`allow.${key.slice(8)}`)) {
    key = `allow.${key.slice(8)}`;
    implied = 'false';
  }
  if (!(JAIL_CONF_KEYS as readonly string[]).includes(key)) {
    throw new ConfigError('unknown-key', keyAt, `unknown parameter '${keyToken.text}'${closest(keyToken.text)}`);
  }
  let next = k + 1;
  let value = implied ?? 'true';
  let valueAt = keyAt;
  const op = tokens[next] as Token;
  if (op.kind === '=' || op.kind === '+=') {
    if (op.kind === '+=') throw new ConfigError('bad-value', position(file, op), `${key}: '+=' (list append) is not supported; use '='`);
    const v = tokens[next + 1] as Token;
    if (v.kind !== 'word' && v.kind !== 'string') throw new ConfigError('syntax', position(file, v), `${key}: a value must follow '='`);
    if (implied !== undefined) throw new ConfigError('bad-value', position(file, v), `${keyToken.text} takes no value`);
    value = v.text;
    valueAt = position(file, v);
    next += 2;
  } else if (!key.startsWith('allow.') && key !== 'mount.devfs' && key !== 'exec.daemon') {
    throw new ConfigError('bad-value', position(file, op), `${key} needs a value ('${key} = ...;')`);
  }
  const end = tokens[next] as Token;
  if (end.kind !== ';') throw new ConfigError('syntax', position(file, end), `expected ';' after ${key}, found ${end.kind === 'eof' ? 'the end of the file' : `'${end.text}'`}`);
  return { param: { key: key as Key, value, keyAt, valueAt }, next: next + 1 };
}

function addParam(params: Map<Key, Param>, param: Param): void {
  const earlier = params.get(param.key);
  if (earlier !== undefined) {
    throw new ConfigError('duplicate', param.keyAt, `${param.key} is set twice (first at line ${earlier.keyAt.line})`);
  }
  params.set(param.key, param);
}

/** The jails of a jail.conf text in file order; global parameters apply to every jail that does not set them. */
function parseRaw(text: string, file: string): RawJail[] {
  const tokens = tokenize(text, file);
  const globals = new Map<Key, Param>();
  const jails: RawJail[] = [];
  let k = 0;
  for (;;) {
    const t = tokens[k] as Token;
    if (t.kind === 'eof') break;
    if (t.kind !== 'word') throw new ConfigError('syntax', position(file, t), `expected a jail name or a parameter, found '${t.text}'`);
    if ((tokens[k + 1] as Token).kind === '{') {
      const params = new Map<Key, Param>();
      if (jails.some((j) => j.fullName === t.text)) throw new ConfigError('duplicate', position(file, t), `jail '${t.text}' is defined twice`);
      k += 2;
      while ((tokens[k] as Token).kind !== '}') {
        const inner = tokens[k] as Token;
        if (inner.kind === 'eof') throw new ConfigError('syntax', position(file, t), `jail '${t.text}': missing '}'`);
        if (inner.kind !== 'word') throw new ConfigError('syntax', position(file, inner), `expected a parameter, found '${inner.text}'`);
        if ((tokens[k + 1] as Token).kind === '{') throw new ConfigError('syntax', position(file, inner), `jail blocks do not nest; write '${t.text}.${inner.text} { ... }' after this one`);
        const { param, next } = parseParam(tokens, k, file);
        addParam(params, param);
        k = next;
      }
      k++;
      jails.push({ fullName: t.text, at: position(file, t), params });
    } else {
      const { param, next } = parseParam(tokens, k, file);
      addParam(globals, param);
      k = next;
    }
  }
  for (const jail of jails) for (const [key, param] of globals) if (!jail.params.has(key) && key !== 'exec.start') jail.params.set(key, param);
  return jails;
}

/**
 * A jail.conf text as a validated jail set: names, paths under the parent's, allow.* within the
 * parent's, children.max per parent, limits within the machine. Every mistake is a ConfigError
 * with the file, line and column; nothing invalid gets to the guest.
 */
export function parseJailConf(text: string, file = 'jail.conf'): JailSet {
  const raw = parseRaw(text, file);
  if (raw.length > MACHINE.jails) {
    throw new ConfigError('above-machine', (raw[MACHINE.jails] as RawJail).at, `more than the kernel's ${MACHINE.jails} jails`);
  }
  const jails: JailSpec[] = [];
  const runs: RunSpec[] = [];
  const children = new Map<number, number>();
  raw.forEach((r) => {
    const parts = r.fullName.split('.');
    parts.forEach((part) => checkName(part, r.at, 'jail name'));
    const parentName = parts.slice(0, -1).join('.');
    const parent = parentName === '' ? -1 : jails.findIndex((j) => j.fullName === parentName);
    if (parentName !== '' && parent < 0) throw new ConfigError('nesting', r.at, `jail '${r.fullName}': its parent '${parentName}' is not defined above it`);
    const get = (key: Key) => r.params.get(key);
    const pathParam = get('path');
    if (pathParam === undefined) throw new ConfigError('missing', r.at, `jail '${r.fullName}' has no path`);
    const path = checkPath(pathParam.value, pathParam.valueAt, 'path');
    const parentSpec = parent >= 0 ? (jails[parent] as JailSpec) : undefined;
    if (parentSpec !== undefined) {
      if (!path.startsWith(`${parentSpec.path}/`)) {
        throw new ConfigError('bad-value', pathParam.valueAt, `path: '${path}' of '${r.fullName}' is not inside its parent's root '${parentSpec.path}'`);
      }
      const count = (children.get(parent) ?? 0) + 1;
      children.set(parent, count);
      if (count > parentSpec.childrenMax) {
        throw new ConfigError('nesting', r.at, `jail '${r.fullName}' is child ${count} of '${parentSpec.fullName}', whose children.max is ${parentSpec.childrenMax}`);
      }
    }
    const allow: AllowName[] = [];
    for (const name of ['set_hostname', 'raw_io'] as const) {
      const p = get(`allow.${name}`);
      if (p === undefined || !parseBool(p.value, p.valueAt, p.key)) continue;
      if (parentSpec !== undefined && !parentSpec.allow.includes(name)) {
        throw new ConfigError('bad-value', p.keyAt, `allow.${name}: '${r.fullName}' cannot allow what its parent '${parentSpec.fullName}' does not`);
      }
      allow.push(name);
    }
    const count = (key: Key, max: number, what: string) => {
      const p = get(key);
      return p === undefined ? undefined : parseCount(p.value, p.valueAt, key, max, what);
    };
    const host = get('host.hostname');
    const devfs = get('mount.devfs');
    const memory = get('rctl.memoryuse');
    const pcpu = get('rctl.pcpu');
    const cpuPercent = pcpu === undefined ? undefined : parseCount(pcpu.value, pcpu.valueAt, 'rctl.pcpu', 100, 'percent of its one CPU');
    if (cpuPercent === 0 && pcpu !== undefined) throw new ConfigError('bad-value', pcpu.valueAt, 'rctl.pcpu: 0 would never run; give 1-100');
    const maxproc = count('rctl.maxproc', MACHINE.nproc - 1, 'process slots beside the daemon');
    const openFiles = count('rctl.openfiles', MACHINE.openFiles, 'descriptors');
    const memoryPages = memory === undefined ? undefined : parseMemoryPages(memory.value, memory.valueAt, 'rctl.memoryuse');
    const spec: JailSpec = {
      name: parts[parts.length - 1] as string,
      fullName: r.fullName,
      parent,
      path,
      allow,
      devfs: devfs === undefined ? true : parseBool(devfs.value, devfs.valueAt, 'mount.devfs'),
      childrenMax: count('children.max', MACHINE.jails - 1, 'jails') ?? 0,
      zone: false,
      line: r.at.line,
      ...(host === undefined ? {} : { hostname: checkHostname(host.value, host.valueAt, 'host.hostname') }),
      ...(maxproc === undefined ? {} : { maxproc }),
      ...(memoryPages === undefined ? {} : { memoryPages }),
      ...(openFiles === undefined ? {} : { openFiles }),
      ...(cpuPercent === undefined ? {} : { cpuPercent }),
    };
    const start = get('exec.start');
    if (start !== undefined) {
      const daemon = get('exec.daemon');
      if (runs.length >= MACHINE.runs) throw new ConfigError('above-machine', start.keyAt, `more than the daemon's ${MACHINE.runs} runs`);
      runs.push({ jail: jails.length, primary: daemon === undefined || !parseBool(daemon.value, daemon.valueAt, 'exec.daemon'), argv: parseCommand(start.value, start.valueAt, 'exec.start') });
    }
    jails.push(spec);
  });
  return { jails, runs };
}

/** A jail set the daemon can boot: at least one primary run. */
export function checkBootable(set: JailSet, file: string): JailSet {
  if (!set.runs.some((run) => run.primary)) {
    throw new ConfigError('missing', { file, line: 1, column: 1 }, 'no jail has an exec.start that is not exec.daemon: nothing to run');
  }
  return set;
}
