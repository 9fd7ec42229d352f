import { osWorkloads } from '@virtlab/guest';
import { resolveCostModel } from '@virtlab/lab-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseJailConf } from './jail-conf.js';
import { programFiles, runJailSet, type JailedRun } from './run.js';

// The isolation battery (initrd/src/jattack.c) inside a jail of the guest kernel, beside a
// neighbour jail. Each attack must fail with the errno its configuration implies; with the
// permissions granted, the same calls succeed.
const disk = osWorkloads[0]?.disk as string;
const cost = resolveCostModel('default');
const run = { maxInstructions: 400_000_000, engine: 'interp' as const, profile: 'rv32ima' as const };

const conf = (extra: string) => `
attacker {
  path = /jails/attacker;
  host.hostname = attacker.lab;
  children.max = 1;
  rctl.maxproc = 6;
  rctl.memoryuse = 1M;   # 256 pages
  rctl.openfiles = 12;
  ${extra}
  exec.start = "/bin/jattack sleep all";   # sleep: the neighbour is attached and spinning first
}
neighbour {
  path = /jails/neighbour;
  exec.start = "/bin/jattack cpuhog";
  exec.daemon;
}
`;

const lines = (r: JailedRun) => r.output.split('\n').filter((line) => line.startsWith('attack '));

describe('the isolation battery in a jail without permissions', () => {
  let r: JailedRun;
  beforeAll(async () => {
    r = await runJailSet(parseJailConf(conf('')), programFiles(), { cost, disk, run });
  }, 120_000);

  it('exits normally, the kernel still running', () => {
    expect(r.stop).toBe('exit');
    expect(r.exitCode).toBe(0);
  });
  it('cannot reach the host tree through .., absolute paths, chdir or chroot', () => {
    expect(lines(r)).toEqual(expect.arrayContaining([
      'attack path-dotdot: open ../../../etc/host-secret ENOENT',
      'attack path-absolute: open /../../etc/host-secret ENOENT',
      'attack path-chdir: cwd after is /',
      'attack path-chdir: open etc/host-secret from there ENOENT',
      'attack chroot: chroot /tmp/cage OK',
      'attack chroot: open etc/host-secret after 8 x chdir .. ENOENT',
      "attack chroot: the walk stopped at the jail's root (bin/true there: OK)",
    ]));
  });
  it('sees, signals and waits for no process outside: ESRCH, ECHILD, getppid 0, itself the only one visible of the 1..64 pids (the daemon and the neighbour\'s hog are there)', () => {
    expect(lines(r)).toEqual(expect.arrayContaining([
      'attack signal: kill(1, SIGKILL) ESRCH',
      'attack wait: wait4(1) ECHILD',
      'attack signal: getppid is 0',
      'attack signal: processes visible: 1',
    ]));
  });
  it('cannot attach to, read or remove another jail (EINVAL: not in its view), nor remove its own (EPERM)', () => {
    expect(lines(r)).toEqual(expect.arrayContaining([
      'attack jails: jail_remove(own jid) EPERM',
      'attack jails: attach, get and remove of the 15 other jids: 15 refused with EINVAL',
    ]));
  });
  it('without allow.set_hostname and allow.raw_io: EPERM, the host name unchanged', () => {
    expect(lines(r)).toEqual(expect.arrayContaining([
      'attack hostname: sethostname("owned") EPERM',
      'attack hostname: uname nodename is attacker.lab',
      'attack rawdisk: open /dev/vda EPERM',
    ]));
  });
  it('meets its limits: openfiles 12 (3 already open) EMFILE, children.max 1 EPERM, maxproc 6 (itself one) EAGAIN', () => {
    expect(lines(r)).toEqual(expect.arrayContaining([
      'attack files: opened 9 more, then open gave EMFILE',
      'attack nest: created 1 child jails, then jail_create gave EPERM',
      'attack forkbomb: 5 children, then fork gave EAGAIN',
    ]));
  });
  it('a memory hog is killed (SIGKILL) when the jail holds memoryuse = 256 resident pages', () => {
    const line = lines(r).find((l) => l.startsWith('attack memhog:'));
    expect(line).toMatch(/^attack memhog: child killed by signal 9 after \d+ pages; jail peak 256 of 256 pages$/);
    expect(r.accounting.get('attacker')?.memoryPeakPages).toBe(256);
    expect(r.accounting.get('attacker')?.denied).toBe(3);
  });
  it('leaves the neighbour running: its CPU time is accounted to it', () => {
    expect(r.accounting.get('neighbour')?.cpuLabCycles).toBeGreaterThan(0);
    expect(r.accounting.get('attacker')?.forks).toBe(1 + 5 + 1);
  });
});

describe('the battery with the permissions granted', () => {
  it('sethostname succeeds and changes only the jail\'s name; the raw disk opens', { timeout: 120_000 }, async () => {
    const r = await runJailSet(parseJailConf(conf('allow.set_hostname; allow.raw_io = true;')), programFiles(), { cost, disk, run });
    expect(lines(r)).toEqual(expect.arrayContaining([
      'attack hostname: sethostname("owned") OK',
      'attack hostname: uname nodename is owned',
      'attack rawdisk: open /dev/vda OK',
    ]));
  });
});

describe('nested jails', () => {
  const nested = (parentRun: string, childRun: string) => `
p {
  path = /jails/p;
  children.max = 1;
  host.hostname = p.lab;
  exec.start = "${parentRun}";
  ${parentRun.includes('cpuhog') ? 'exec.daemon;' : ''}
}
p.c {
  path = /jails/p/c;
  exec.start = "${childRun}";
  ${childRun.includes('cpuhog') ? 'exec.daemon;' : ''}
}
`;
  it('a parent jail sees its child jail\'s processes; the child sees only its own; the child inherits the host name', { timeout: 120_000 }, async () => {
    const [fromParent, fromChild] = await Promise.all([
      runJailSet(parseJailConf(nested('/bin/jattack sleep signal', '/bin/jattack cpuhog')), programFiles(), { cost, run }),
      runJailSet(parseJailConf(nested('/bin/jattack cpuhog', '/bin/jattack signal hostname paths')), programFiles(), { cost, run }),
    ]);
    expect(lines(fromParent)).toContain('attack signal: processes visible: 2');
    expect(lines(fromChild)).toEqual(expect.arrayContaining([
      'attack signal: processes visible: 1',
      'attack signal: kill(1, SIGKILL) ESRCH',
      'attack hostname: uname nodename is p.lab',
      'attack path-dotdot: open ../../../etc/host-secret ENOENT',
      'attack path-chdir: cwd after is /',
    ]));
    // The child's processes are charged to the parent too.
    expect(fromChild.accounting.get('p')?.forks).toBeGreaterThanOrEqual((fromChild.accounting.get('c')?.forks ?? 0) + 1);
  });
});
