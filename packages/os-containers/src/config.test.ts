import { describe, expect, it } from 'vitest';
import { encodeJailSet, JC_MAGIC } from './config-image.js';
import { ConfigError, GuestJailError, LifecycleError } from './errors.js';
import { checkBootable, parseJailConf } from './jail-conf.js';
import { ZoneLifecycle } from './lifecycle.js';
import { programFiles, runJailSet } from './run.js';
import { resolveCostModel } from '@virtlab/lab-kit';
import { parseZonecfg } from './zonecfg.js';

/** The error a parse throws, for its kind and position. */
function errorOf(parse: () => unknown): ConfigError {
  try {
    parse();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError thrown');
}

const where = (e: ConfigError) => [e.kind, e.position.line, e.position.column];

describe('jail.conf', () => {
  const good = `# two jails, one nested
mount.devfs;                       # a global: every jail
web {
  path = "/jails/web";
  host.hostname = web.lab;
  allow.set_hostname;
  allow.noraw_io;
  children.max = 1;
  rctl.maxproc = 8;
  rctl.memoryuse = 16M;
  rctl.openfiles = 64;
  rctl.pcpu = 50;
  exec.start = "/bin/sha256 test";
}
web.inner {
  path = /jails/web/inner;
  exec.start = "/bin/true 3";
  exec.daemon;
}
`;
  it('parses parameters, globals, booleans in both spellings, sizes in pages and nesting', () => {
    const set = parseJailConf(good);
    expect(set.jails).toHaveLength(2);
    expect(set.jails[0]).toMatchObject({ name: 'web', path: '/jails/web', hostname: 'web.lab', allow: ['set_hostname'], devfs: true, childrenMax: 1, maxproc: 8, memoryPages: 4096, openFiles: 64, cpuPercent: 50, parent: -1, line: 3 });
    expect(set.jails[1]).toMatchObject({ name: 'inner', fullName: 'web.inner', parent: 0, devfs: true, line: 15 });
    expect(set.runs).toEqual([
      { jail: 0, primary: true, argv: ['/bin/sha256', 'test'] },
      { jail: 1, primary: false, argv: ['/bin/true', '3'] },
    ]);
  });
  it('names the line and column of an unknown key, with the near names', () => {
    const e = errorOf(() => parseJailConf('a {\n  path = /j/a;\n  allow.mount;\n}\n'));
    expect(where(e)).toEqual(['unknown-key', 3, 3]);
    expect(e.message).toMatch(/^jail\.conf:3:3: unknown parameter 'allow\.mount' \(did you mean allow\.set_hostname, allow\.raw_io\?\)$/);
  });
  it('names a bad value at the value', () => {
    expect(where(errorOf(() => parseJailConf('a {\n  path = /j/a;\n  rctl.maxproc = ten;\n}')))).toEqual(['bad-value', 3, 18]);
    expect(where(errorOf(() => parseJailConf('a {\n  path = j/a;\n}')))).toEqual(['bad-value', 2, 10]);
    expect(where(errorOf(() => parseJailConf('a {\n  path = /j/../a;\n}')))).toEqual(['bad-value', 2, 10]);
    expect(where(errorOf(() => parseJailConf('a {\n  path = /j/a;\n  rctl.memoryuse = 1000;\n}')))).toEqual(['bad-value', 3, 20]);
    expect(where(errorOf(() => parseJailConf('a {\n  path = /j/a;\n  allow.raw_io = maybe;\n}')))).toEqual(['bad-value', 3, 18]);
  });
  it('refuses caps above the machine: 128 MiB of RAM, 31 process slots, 100 % of the CPU', () => {
    const e = errorOf(() => parseJailConf('a {\n  path = /j/a;\n  rctl.memoryuse = 256M;\n}'));
    expect(where(e)).toEqual(['above-machine', 3, 20]);
    expect(e.message).toContain("above the machine's 128 MiB of RAM");
    expect(where(errorOf(() => parseJailConf('a { path = /j/a; rctl.maxproc = 32; }')))).toEqual(['above-machine', 1, 33]);
    expect(where(errorOf(() => parseJailConf('a { path = /j/a; rctl.pcpu = 150; }')))).toEqual(['above-machine', 1, 30]);
  });
  it('refuses a jail nested past children.max, at the child', () => {
    const text = 'p {\n  path = /j/p;\n  children.max = 1;\n}\np.a {\n  path = /j/p/a;\n}\np.b {\n  path = /j/p/b;\n}\n';
    const e = errorOf(() => parseJailConf(text));
    expect(where(e)).toEqual(['nesting', 8, 1]);
    expect(e.message).toContain("child 2 of 'p', whose children.max is 1");
    expect(where(errorOf(() => parseJailConf('q.a { path = /j/q/a; }')))).toEqual(['nesting', 1, 1]);
    expect(where(errorOf(() => parseJailConf('p { path = /j/p; children.max = 1; }\np.a { path = /elsewhere; }')))).toEqual(['bad-value', 2, 14]);
  });
  it('refuses a child allowed what its parent is not', () => {
    expect(where(errorOf(() => parseJailConf('p { path = /j/p; children.max = 1; }\np.a { path = /j/p/a; allow.raw_io; }')))).toEqual(['bad-value', 2, 22]);
  });
  it('reports syntax errors, duplicates and a missing path with their place', () => {
    expect(where(errorOf(() => parseJailConf('a {\n  path = /j/a\n}')))).toEqual(['syntax', 3, 1]);
    expect(where(errorOf(() => parseJailConf('a {\n  path = "/j/a;\n}')))).toEqual(['syntax', 2, 10]);
    expect(where(errorOf(() => parseJailConf('a { path = /j/a; path = /j/b; }')))).toEqual(['duplicate', 1, 18]);
    expect(where(errorOf(() => parseJailConf('a { path = /j/a; }\na { path = /j/b; }')))).toEqual(['duplicate', 2, 1]);
    expect(where(errorOf(() => parseJailConf('\n\nb {\n  host.hostname = b;\n}')))).toEqual(['missing', 3, 1]);
    expect(where(errorOf(() => parseJailConf('a { path = /j/a; } $')))).toEqual(['syntax', 1, 20]);
    expect(where(errorOf(() => parseJailConf('a { path = /j/a;')))).toEqual(['syntax', 1, 1]);
  });
  it('needs a primary run to boot', () => {
    expect(where(errorOf(() => checkBootable(parseJailConf('a { path = /j/a; }'), 'jail.conf')))).toEqual(['missing', 1, 1]);
  });
  it('parses a large malformed input in bounded time, with a typed error', () => {
    const huge = `a {\n${'  path = /j/a;\n'.repeat(1)}${'  #'.repeat(100_000)}\n  ${'x'.repeat(100_000)} = 1;\n}`;
    const started = performance.now();
    expect(where(errorOf(() => parseJailConf(huge)))).toEqual(['unknown-key', 4, 3]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('zonecfg', () => {
  const good = `create web
set zonepath=/zones/web
set hostname=web.zone
set limitpriv=set_hostname
set boot="/bin/sha256 test"
add capped-cpu
  set ncpus=0.25
end
add capped-memory
  set physical=8M
end
add rctl
  set name=zone.max-processes
  add value (priv=privileged,limit=12,action=deny)
end
commit
create idle
set zonepath=/zones/idle
set autoboot=false
commit
`;
  it('parses zones into jails with resource pools', () => {
    const set = parseZonecfg(good);
    expect(set.jails[0]).toMatchObject({ name: 'web', zone: true, path: '/zones/web', hostname: 'web.zone', allow: ['set_hostname'], cpuPercent: 25, memoryPages: 2048, maxproc: 12 });
    expect(set.jails[1]).toMatchObject({ name: 'idle', zone: true });
    expect(set.runs).toEqual([{ jail: 0, primary: true, argv: ['/bin/sha256', 'test'] }]);
  });
  it('reports unknown properties, resources and commands with line and column', () => {
    expect(where(errorOf(() => parseZonecfg('create a\nset zonepath=/z/a\nset ip-type=shared\ncommit')))).toEqual(['unknown-key', 3, 5]);
    expect(where(errorOf(() => parseZonecfg('create a\nadd net\nend\ncommit')))).toEqual(['unknown-key', 2, 5]);
    expect(where(errorOf(() => parseZonecfg('create a\n  verify\ncommit')))).toEqual(['unknown-key', 2, 3]);
    expect(where(errorOf(() => parseZonecfg('create a\nadd capped-cpu\n  set physical=1M\nend\ncommit')))).toEqual(['unknown-key', 3, 7]);
  });
  it('refuses caps above the machine: more than one CPU, more than its RAM', () => {
    const e = errorOf(() => parseZonecfg('create a\nset zonepath=/z/a\nadd capped-cpu\n  set ncpus=1.5\nend\ncommit'));
    expect(where(e)).toEqual(['above-machine', 4, 13]);
    expect(e.message).toBe("zonecfg:4:13: ncpus: 1.5 is above the machine's 1 CPU");
    expect(where(errorOf(() => parseZonecfg('create a\nadd capped-memory\n set physical=1G\nend\ncommit')))).toEqual(['above-machine', 3, 15]);
    expect(where(errorOf(() => parseZonecfg('create a\nadd rctl\nset name=zone.max-processes\nadd value (priv=privileged,limit=99,action=deny)\nend\ncommit')))).toEqual(['above-machine', 2, 5]);
  });
  it('reports bad values at the value', () => {
    expect(where(errorOf(() => parseZonecfg('create a\nadd capped-cpu\nset ncpus=half\nend\ncommit')))).toEqual(['bad-value', 3, 11]);
    expect(where(errorOf(() => parseZonecfg('create a\nadd rctl\nset name=zone.max-processes\nadd value (priv=privileged,limit=12,action=signal)\nend\ncommit')))).toEqual(['bad-value', 4, 37]);
    expect(where(errorOf(() => parseZonecfg('create a\nset zonepath=/z/a\nset limitpriv=default,sys_time\ncommit')))).toEqual(['bad-value', 3, 15]);
    expect(where(errorOf(() => parseZonecfg('create a\nset zonepath=/z/a\nset boot="/bin/x"\ncommit\ncreate b\nset zonepath=/z/a/b\nset boot=/bin/x\ncommit')))).toEqual(['bad-value', 6, 14]);
  });
  it('reports structure errors and missing pieces', () => {
    expect(where(errorOf(() => parseZonecfg('set zonepath=/z/a')))).toEqual(['syntax', 1, 1]);
    expect(where(errorOf(() => parseZonecfg('create a\nadd capped-cpu\nset ncpus=0.5\ncommit')))).toEqual(['syntax', 4, 1]);
    expect(where(errorOf(() => parseZonecfg('create a\nset zonepath=/z/a\nset boot=/bin/x')))).toEqual(['syntax', 1, 1]);
    expect(where(errorOf(() => parseZonecfg('create a\nset boot=/bin/x\ncommit')))).toEqual(['missing', 1, 1]);
    expect(where(errorOf(() => parseZonecfg('create a\nset zonepath=/z/a\ncommit')))).toEqual(['missing', 1, 1]);
    expect(where(errorOf(() => parseZonecfg('create a\nadd capped-memory\nend\ncommit')))).toEqual(['missing', 2, 5]);
  });
});

describe('the zone lifecycle', () => {
  it('goes configured → installed → ready → running → shutting_down → down, and down → ready again', () => {
    const z = new ZoneLifecycle('web');
    for (const action of ['install', 'ready', 'boot', 'shutdown', 'halted', 'ready'] as const) z.apply(action);
    expect(z.history).toEqual(['configured', 'installed', 'ready', 'running', 'shutting_down', 'down', 'ready']);
  });
  it('refuses an illegal transition, naming the state', () => {
    const z = new ZoneLifecycle('web');
    expect(() => z.apply('boot')).toThrow(new LifecycleError('web', 'configured', 'boot'));
    expect(() => z.apply('boot')).toThrow("zone 'web' is configured: cannot boot");
    z.apply('install');
    expect(() => z.observe('running')).toThrow("zone 'web' is installed: cannot go to running");
    expect(() => z.observe('paused')).toThrow("zone 'web' is installed: cannot enter unknown state 'paused'");
    expect(z.can('ready')).toBe(true);
    expect(z.can('halted')).toBe(false);
  });
});

describe('the configuration image', () => {
  it('lays out the header, jails and runs as initrd/src/jail.h declares them', () => {
    const set = parseJailConf('p { path = /j/p; children.max = 2; rctl.maxproc = 7; exec.start = "/bin/true 5"; }\np.c { path = /j/p/c; rctl.pcpu = 30; }');
    const bytes = encodeJailSet(set);
    const view = new DataView(bytes.buffer);
    expect([view.getUint32(0, true), view.getUint32(4, true), view.getUint32(8, true), view.getUint32(12, true)]).toEqual([JC_MAGIC, 1, 2, 1]);
    expect(bytes.length).toBe(16 + 2 * 260 + 1 * (12 + 8 * 64));
    const text = (at: number, n: number) => new TextDecoder().decode(bytes.slice(at, at + n)).replace(/\0+$/, '');
    expect(text(16, 32)).toBe('p');
    expect(text(16 + 32, 128)).toBe('/j/p');
    expect(text(16 + 260 + 32, 128)).toBe('/c'); // a child's path is resolved inside its parent
    expect(view.getUint32(16 + 224 + 8, true)).toBe(2); // children_max
    expect(view.getUint32(16 + 224 + 12, true)).toBe(7); // maxproc
    expect(view.getUint32(16 + 260 + 224 + 24, true)).toBe(30); // cpu_pct
    expect(view.getInt32(16 + 260 + 252, true)).toBe(0); // the child's parent index
    const run = 16 + 2 * 260;
    expect([view.getUint32(run, true), view.getUint32(run + 4, true), view.getUint32(run + 8, true)]).toEqual([0, 1, 2]);
    expect(text(run + 12 + 64, 64)).toBe('5');
  });
});

describe('a run naming a program nobody gave', () => {
  it('is refused on the host, before any boot', async () => {
    const set = parseJailConf('a { path = /j/a; exec.start = "/bin/nothere 1"; }');
    const run = runJailSet(set, programFiles(), { cost: resolveCostModel('default'), run: { maxInstructions: 1000, engine: 'interp', profile: 'rv32ima' } });
    await expect(run).rejects.toThrow(GuestJailError);
    await expect(run).rejects.toThrow(/jail 'a' runs \/bin\/nothere, which is not among the programs given \(\/bin\/zoned, \/bin\/true/);
  });
});

describe('checking the lifecycle the daemon reports', () => {
  const set = parseZonecfg('create web\nset zonepath=/z/web\nset boot=/bin/true\ncommit\n');
  it('accepts the full sequence and refuses a skipped state or an unfinished zone', async () => {
    const { checkLifecycle } = await import('./strategies.js');
    const full = ['installed', 'ready', 'running', 'shutting_down', 'down'].map((s, i) => [s, i] as const);
    expect(() => checkLifecycle(set, new Map([['web', full]]))).not.toThrow();
    expect(() => checkLifecycle(set, new Map([['web', [['installed', 0], ['running', 1]] as const]]))).toThrow("zone 'web' is installed: cannot go to running");
    expect(() => checkLifecycle(set, new Map([['web', full.slice(0, 3)]]))).toThrow("zone 'web' ended running, not down");
  });
});
