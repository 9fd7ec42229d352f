/* zoned: the in-guest jail and zone daemon. Process 1 of a jailed boot: it reads the
 * configuration the host wrote to /etc/jails.bin, creates the jails (a nested one from inside
 * its parent, as jail(8) does), starts each run in its jail, and once the primary runs are done
 * halts the rest (jail_remove), reaps everything and reports the accounting as @metric lines.
 * Zones report their lifecycle too: installed, ready, running, shutting_down, down, each with
 * the time CSR's tick it was entered at. Its exit status is the first primary run's. */
#include <stdio.h>
#include <string.h>

#include "jail.h"

static struct jc_header hdr;
static struct jc_jail jails[JC_MAX_JAILS];
static struct jc_run runs[JC_MAX_RUNS];
static long jids[JC_MAX_JAILS];
static long pids[JC_MAX_RUNS];
static int done[JC_MAX_RUNS], status_of[JC_MAX_RUNS];
static uint64_t started[JC_MAX_RUNS], ended[JC_MAX_RUNS];
static struct jail_info final_info[JC_MAX_JAILS];

static int read_all(const char *path, void *buf, long size) {
  long fd = sys_open(path, O_RDONLY);
  if (fd < 0) return (int)fd;
  long got = 0;
  while (got < size) {
    long n = read((int)fd, (char *)buf + got, (size_t)(size - got));
    if (n <= 0) break;
    got += n;
  }
  close((int)fd);
  return (int)got;
}

static int load(void) {
  static char buf[sizeof hdr + sizeof jails + sizeof runs];
  int n = read_all("/etc/jails.bin", buf, sizeof buf);
  if (n < (int)sizeof hdr) return -1;
  memcpy(&hdr, buf, sizeof hdr);
  if (hdr.magic != JC_MAGIC || hdr.version != JC_VERSION || hdr.njails > JC_MAX_JAILS || hdr.nruns > JC_MAX_RUNS ||
      hdr.nruns == 0)
    return -1;
  long want = (long)(sizeof hdr + hdr.njails * sizeof(struct jc_jail) + hdr.nruns * sizeof(struct jc_run));
  if (n != want) return -1;
  memcpy(jails, buf + sizeof hdr, hdr.njails * sizeof(struct jc_jail));
  memcpy(runs, buf + sizeof hdr + hdr.njails * sizeof(struct jc_jail), hdr.nruns * sizeof(struct jc_run));
  for (uint32_t i = 0; i < hdr.njails; i++)
    if (jails[i].parent >= (int32_t)i) return -1;  /* parents come first */
  for (uint32_t i = 0; i < hdr.nruns; i++)
    if (runs[i].jail >= hdr.njails || runs[i].argc == 0 || runs[i].argc > JC_ARGS) return -1;
  return 0;
}

static void zone_state(uint32_t j, const char *state) {
  if (jails[j].zone) printf("@metric zone.%s.%s %lu ticks\n", jails[j].params.name, state, (unsigned long)rdtime());
}

/* A nested jail is created from inside its parent: a child attaches and reports the jid. */
static long create(uint32_t j) {
  if (jails[j].parent < 0) return jail_create(&jails[j].params);
  int p[2];
  sys_pipe(p);
  fflush_stdout();
  long pid = sys_fork();
  if (pid == 0) {
    long r = jail_attach(jids[jails[j].parent]);
    if (r == 0) r = jail_create(&jails[j].params);
    write(p[1], &r, sizeof r);
    _exit(0);
  }
  long r = -5;
  close(p[1]);
  if (read(p[0], &r, sizeof r) != sizeof r) r = -5;
  close(p[0]);
  int st;
  sys_wait(pid, &st);
  return r;
}

static long start(uint32_t i) {
  char *argv[JC_ARGS + 1];
  for (uint32_t k = 0; k < runs[i].argc; k++) argv[k] = runs[i].argv[k];
  argv[runs[i].argc] = 0;
  fflush_stdout();
  long pid = sys_fork();
  if (pid == 0) {
    long r = jail_attach(jids[runs[i].jail]);
    if (r == 0) r = sys_execve(argv[0], argv, 0);
    printf("zoned: cannot run %s in jail %s: %s\n", argv[0], jails[runs[i].jail].params.name, errname(r));
    fflush_stdout();
    _exit(127);
  }
  return pid;
}

static int primaries_left(void) {
  int n = 0;
  for (uint32_t i = 0; i < hdr.nruns; i++) n += runs[i].primary && !done[i];
  return n;
}

static void print_info(const struct jail_info *ji) {
  uint64_t cpu = ((uint64_t)ji->cpu_hi << 32) | ji->cpu_lo;
  printf("@metric jail.%s.cpu %lu ticks\n", ji->name, (unsigned long)cpu);
  printf("@metric jail.%s.memory_peak %u pages\n", ji->name, ji->memory_peak);
  printf("@metric jail.%s.forks %u processes\n", ji->name, ji->forks);
  printf("@metric jail.%s.denied %u requests\n", ji->name, ji->denied);
  printf("@metric jail.%s.throttled %u passes\n", ji->name, ji->throttled);
}

int main(void) {
  if (load() < 0) {
    printf("zoned: /etc/jails.bin is missing or malformed\n");
    return 70;
  }
  for (uint32_t j = 0; j < hdr.njails; j++) {
    zone_state(j, "installed");
    jids[j] = create(j);
    if (jids[j] < 0) {
      printf("zoned: jail %s: %s\n", jails[j].params.name, errname(jids[j]));
      return 71;
    }
    zone_state(j, "ready");
  }
  for (uint32_t i = 0; i < hdr.nruns; i++) {
    zone_state(runs[i].jail, "running");
    started[i] = rdtime();
    pids[i] = start(i);
  }
  uint32_t left = hdr.nruns;
  int halted = 0;
  while (left) {
    int st = 0;
    long pid = sys_wait(-1, &st);
    if (pid < 0) break;
    for (uint32_t i = 0; i < hdr.nruns; i++)
      if (pids[i] == pid && !done[i]) {
        done[i] = 1;
        status_of[i] = st;
        ended[i] = rdtime();
        left--;
      }
    if (!halted && primaries_left() == 0) {
      /* The primaries are done: collect the accounting, then halt every jail. */
      halted = 1;
      for (uint32_t j = 0; j < hdr.njails; j++) jail_get(jids[j], &final_info[j]);
      for (uint32_t j = 0; j < hdr.njails; j++) zone_state(j, "shutting_down");
      for (uint32_t j = 0; j < hdr.njails; j++)
        if (jails[j].parent < 0) jail_remove(jids[j]);
    }
  }
  while (sys_wait(-1, 0) > 0) {
  }
  for (uint32_t j = 0; j < hdr.njails; j++) zone_state(j, "down");
  for (uint32_t i = 0; i < hdr.nruns; i++)
    printf("@metric run.%u.elapsed %lu ticks\n", i, (unsigned long)(ended[i] - started[i]));
  for (uint32_t j = 0; j < hdr.njails; j++) print_info(&final_info[j]);
  for (uint32_t i = 0; i < hdr.nruns; i++) {
    if (!runs[i].primary) continue;
    int st = status_of[i];
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }
  return 0;
}
