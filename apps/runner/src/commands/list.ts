import type { Command } from 'commander';
import { createLab } from '../lab.js';
import { textTable } from '../report/text-table.js';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list the strategies (lab view), engines (host view) and workloads, one line each')
    .action(async () => {
      const lab = await createLab();
      const out: string[] = [];
      const section = (title: string, rows: string[][]) => {
        out.push(title, textTable(['name', 'description'], rows, 2), '');
      };
      section(
        'Strategies (lab view: lab cycles on the simulated board)',
        lab.registry.strategiesOf('lab').map((s) => [s.name, s.description]),
      );
      section(
        'Engines (host view: wall-clock time on this machine)',
        lab.registry.strategiesOf('host').map((e) => {
          const why = lab.unavailable.get(e.name);
          return [e.name, why === undefined ? e.description : `${e.description} [unavailable: ${why}]`];
        }),
      );
      section(
        'Workloads',
        lab.registry.workloads.list().map((w) => [w.name, w.description]),
      );
      process.stdout.write(out.join('\n'));
    });
}
