import { ConfigError, type SourcePosition } from './errors.js';
import { ALLOW_FLAGS, MACHINE, type AllowName, type JailSet, type JailSpec, type RunSpec } from './model.js';
import { checkHostname, checkName, checkPath, parseBool, parseCommand, parseMemoryPages } from './values.js';

/**
 * A zonecfg(8)-like configuration: `create <zone>` ... `commit` blocks of line commands
 * (`set prop=value`, `add <resource>` ... `end`). Zone properties: zonepath, hostname,
 * autoboot, boot (the program the zone boots; this project's), primary (false: a neighbour the
 * daemon stops once the primaries end), limitpriv (allow.* names). Resources: capped-cpu
 * (ncpus, a fraction of the board's one CPU), capped-memory (physical), rctl
 * (zone.max-processes, zone.max-files with `add value (priv=privileged,limit=N,action=deny)`).
 */
export const ZONE_PROPERTIES = ['zonepath', 'hostname', 'autoboot', 'boot', 'primary', 'limitpriv'] as const;
export const ZONE_RESOURCES = ['capped-cpu', 'capped-memory', 'rctl'] as const;
export const ZONE_RCTLS = ['zone.max-processes', 'zone.max-files'] as const;

interface Word {
  readonly text: string;
  readonly at: SourcePosition;
}

/** The words of one line, with columns; "quoted" words keep their spaces. */
function words(line: string, file: string, lineNo: number): Word[] {
  const out: Word[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === '#') break;
    if (line[i] === ' ' || line[i] === '\t' || line[i] === '\r') {
      i++;
      continue;
    }
    const start = i;
    let text = '';
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t' && line[i] !== '\r') {
      if (line[i] === '"') {
        const q = i++;
        while (i < line.length && line[i] !== '"') text += line[i++];
        if (i >= line.length) throw new ConfigError('syntax', { file, line: lineNo, column: q + 1 }, 'unterminated string');
        i++;
      } else {
        text += line[i++];
      }
    }
    out.push({ text, at: { file, line: lineNo, column: start + 1 } });
  }
  return out;
}

/** `prop=value` split, the value's column found. */
function assignment(word: Word): { key: string; value: string; valueAt: SourcePosition } {
  const eq = word.text.indexOf('=');
  if (eq <= 0) throw new ConfigError('syntax', word.at, `expected property=value, found '${word.text}'`);
  return { key: word.text.slice(0, eq), value: word.text.slice(eq + 1), valueAt: { ...word.at, column: word.at.column + eq + 1 } };
}

interface ZoneDraft {
  name: string;
  at: SourcePosition;
  props: Map<string, { value: string; at: SourcePosition }>;
  cpuPercent?: number;
  memoryPages?: number;
  maxproc?: number;
  openFiles?: number;
  seen: Set<string>;
}

function parseNcpus(value: string, at: SourcePosition): number {
  if (!/^\d+(\.\d{1,2})?$/.test(value)) throw new ConfigError('bad-value', at, `ncpus: '${value}' is not a decimal like 0.5`);
  const pct = Math.round(Number(value) * 100);
  if (pct > 100) throw new ConfigError('above-machine', at, `ncpus: ${value} is above the machine's 1 CPU`);
  if (pct === 0) throw new ConfigError('bad-value', at, 'ncpus: 0 would never run; give 0.01-1');
  return pct;
}

function parseRctlValue(word: Word): number {
  const m = /^\((.*)\)$/.exec(word.text);
  if (!m) throw new ConfigError('syntax', word.at, `expected (priv=privileged,limit=N,action=deny), found '${word.text}'`);
  let limit: number | undefined;
  let offset = word.at.column + 1;
  for (const part of (m[1] as string).split(',')) {
    const at = { ...word.at, column: offset };
    const [k, v] = part.split('=');
    if (k === 'limit') {
      if (v === undefined || !/^\d{1,10}$/.test(v)) throw new ConfigError('bad-value', at, `limit: '${v ?? ''}' is not a whole number`);
      limit = Number(v);
    } else if (k === 'action') {
      if (v !== 'deny') throw new ConfigError('bad-value', at, `action: only 'deny' is enforced, not '${v ?? ''}'`);
    } else if (k === 'priv') {
      if (v !== 'privileged' && v !== 'basic') throw new ConfigError('bad-value', at, `priv: '${v ?? ''}' is not privileged or basic`);
    } else {
      throw new ConfigError('unknown-key', at, `unknown rctl value field '${k ?? ''}' (priv, limit, action)`);
    }
    offset += part.length + 1;
  }
  if (limit === undefined) throw new ConfigError('missing', word.at, 'rctl value has no limit=');
  return limit;
}

/** A zonecfg text as a validated jail set of zones (each a jail with a resource pool). */
export function parseZonecfg(text: string, file = 'zonecfg'): JailSet {
  const zones: ZoneDraft[] = [];
  let zone: ZoneDraft | undefined;
  let resource: { kind: string; at: SourcePosition; props: Map<string, { value: string; at: SourcePosition }>; limit?: number } | undefined;
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const w = words(line, file, index + 1);
    const [cmd, ...args] = w;
    if (cmd === undefined) return;
    const need = (count: number) => {
      if (args.length !== count) throw new ConfigError('syntax', cmd.at, `'${cmd.text}' takes ${count} argument${count === 1 ? '' : 's'}, found ${args.length}`);
    };
    if (cmd.text === 'create') {
      need(1);
      if (zone) throw new ConfigError('syntax', cmd.at, `'create' inside zone '${zone.name}' (missing 'commit')`);
      const name = checkName((args[0] as Word).text, (args[0] as Word).at, 'zone name');
      if (zones.some((z) => z.name === name)) throw new ConfigError('duplicate', (args[0] as Word).at, `zone '${name}' is created twice`);
      zone = { name, at: cmd.at, props: new Map(), seen: new Set() };
      return;
    }
    if (!zone) throw new ConfigError('syntax', cmd.at, `'${cmd.text}' outside a zone (start with 'create <zone>')`);
    const z = zone;
    switch (cmd.text) {
      case 'set': {
        need(1);
        const { key, value, valueAt } = assignment(args[0] as Word);
        const target = resource ? resource.props : z.props;
        if (resource) {
          const allowed = resource.kind === 'capped-cpu' ? ['ncpus'] : resource.kind === 'capped-memory' ? ['physical'] : ['name'];
          if (!allowed.includes(key)) throw new ConfigError('unknown-key', (args[0] as Word).at, `unknown property '${key}' of ${resource.kind} (${allowed.join(', ')})`);
        } else if (!(ZONE_PROPERTIES as readonly string[]).includes(key)) {
          throw new ConfigError('unknown-key', (args[0] as Word).at, `unknown zone property '${key}' (${ZONE_PROPERTIES.join(', ')})`);
        }
        if (target.has(key)) throw new ConfigError('duplicate', (args[0] as Word).at, `${key} is set twice`);
        target.set(key, { value, at: valueAt });
        return;
      }
      case 'add': {
        if (resource?.kind === 'rctl' && (args[0])?.text === 'value') {
          need(2);
          resource.limit = parseRctlValue(args[1] as Word);
          return;
        }
        need(1);
        if (resource) throw new ConfigError('syntax', cmd.at, `'add' inside ${resource.kind} (missing 'end')`);
        const kind = (args[0] as Word).text;
        if (!(ZONE_RESOURCES as readonly string[]).includes(kind)) {
          throw new ConfigError('unknown-key', (args[0] as Word).at, `unknown resource '${kind}' (${ZONE_RESOURCES.join(', ')})`);
        }
        if (kind !== 'rctl' && z.seen.has(kind)) throw new ConfigError('duplicate', (args[0] as Word).at, `${kind} is added twice`);
        z.seen.add(kind);
        resource = { kind, at: (args[0] as Word).at, props: new Map() };
        return;
      }
      case 'end': {
        need(0);
        if (!resource) throw new ConfigError('syntax', cmd.at, "'end' without 'add'");
        const r = resource;
        resource = undefined;
        const prop = (key: string) => {
          const p = r.props.get(key);
          if (p === undefined) throw new ConfigError('missing', r.at, `${r.kind} has no ${key}`);
          return p;
        };
        if (r.kind === 'capped-cpu') z.cpuPercent = parseNcpus(prop('ncpus').value, prop('ncpus').at);
        else if (r.kind === 'capped-memory') z.memoryPages = parseMemoryPages(prop('physical').value, prop('physical').at, 'physical');
        else {
          const name = prop('name');
          if (!(ZONE_RCTLS as readonly string[]).includes(name.value)) throw new ConfigError('unknown-key', name.at, `unknown rctl '${name.value}' (${ZONE_RCTLS.join(', ')})`);
          if (r.limit === undefined) throw new ConfigError('missing', r.at, `rctl ${name.value} has no 'add value (...)'`);
          if (z.seen.has(name.value)) throw new ConfigError('duplicate', name.at, `rctl ${name.value} is added twice`);
          z.seen.add(name.value);
          if (name.value === 'zone.max-processes') {
            if (r.limit > MACHINE.nproc - 1) throw new ConfigError('above-machine', r.at, `zone.max-processes: ${r.limit} is above the machine's ${MACHINE.nproc - 1} process slots beside the daemon`);
            z.maxproc = r.limit;
          } else {
            if (r.limit > MACHINE.openFiles) throw new ConfigError('above-machine', r.at, `zone.max-files: ${r.limit} is above the machine's ${MACHINE.openFiles} descriptors`);
            z.openFiles = r.limit;
          }
        }
        return;
      }
      case 'commit':
        need(0);
        if (resource) throw new ConfigError('syntax', cmd.at, `'commit' inside ${resource.kind} (missing 'end')`);
        zones.push(z);
        zone = undefined;
        return;
      default:
        throw new ConfigError('unknown-key', cmd.at, `unknown command '${cmd.text}' (create, set, add, end, commit)`);
    }
  });
  if (zone) throw new ConfigError('syntax', zone.at, `zone '${zone.name}' is not committed`);
  if (zones.length > MACHINE.jails) throw new ConfigError('above-machine', (zones[MACHINE.jails] as ZoneDraft).at, `more than the kernel's ${MACHINE.jails} zones`);
  const jails: JailSpec[] = [];
  const runs: RunSpec[] = [];
  for (const z of zones) {
    const p = (key: string) => z.props.get(key);
    const zonepath = p('zonepath');
    if (zonepath === undefined) throw new ConfigError('missing', z.at, `zone '${z.name}' has no zonepath`);
    const path = checkPath(zonepath.value, zonepath.at, 'zonepath');
    const clash = jails.find((j) => path === j.path || path.startsWith(`${j.path}/`) || j.path.startsWith(`${path}/`));
    if (clash) throw new ConfigError('bad-value', zonepath.at, `zonepath: '${path}' overlaps zone '${clash.name}' at ${clash.path}`);
    const allow: AllowName[] = [];
    const limitpriv = p('limitpriv');
    if (limitpriv !== undefined && limitpriv.value !== 'default') {
      for (const name of limitpriv.value.split(',')) {
        if (!(name in ALLOW_FLAGS)) throw new ConfigError('bad-value', limitpriv.at, `limitpriv: unknown privilege '${name}' (default, ${Object.keys(ALLOW_FLAGS).join(', ')})`);
        allow.push(name as AllowName);
      }
    }
    const hostname = p('hostname');
    const autoboot = p('autoboot');
    const boots = autoboot === undefined || parseBool(autoboot.value, autoboot.at, 'autoboot');
    const boot = p('boot');
    if (boots && boot === undefined) throw new ConfigError('missing', z.at, `zone '${z.name}' boots (autoboot) but has no boot program`);
    const primary = p('primary');
    if (boots && boot !== undefined) {
      runs.push({ jail: jails.length, primary: primary === undefined || parseBool(primary.value, primary.at, 'primary'), argv: parseCommand(boot.value, boot.at, 'boot') });
    }
    jails.push({
      name: z.name,
      fullName: z.name,
      parent: -1,
      path,
      allow,
      devfs: true,
      childrenMax: 0,
      zone: true,
      line: z.at.line,
      ...(hostname === undefined ? {} : { hostname: checkHostname(hostname.value, hostname.at, 'hostname') }),
      ...(z.cpuPercent === undefined ? {} : { cpuPercent: z.cpuPercent }),
      ...(z.memoryPages === undefined ? {} : { memoryPages: z.memoryPages }),
      ...(z.maxproc === undefined ? {} : { maxproc: z.maxproc }),
      ...(z.openFiles === undefined ? {} : { openFiles: z.openFiles }),
    });
  }
  if (runs.length > MACHINE.runs) throw new ConfigError('above-machine', { file, line: 1, column: 1 }, `more than the daemon's ${MACHINE.runs} booting zones`);
  return { jails, runs };
}
