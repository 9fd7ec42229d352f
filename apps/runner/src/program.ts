import { Command } from 'commander';
import { registerBench } from './commands/bench.js';
import { registerBoot } from './commands/boot.js';
import { registerElf } from './commands/elf.js';
import { registerList } from './commands/list.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { runnerVersion } from './version.js';

/** Builds the `virtlab` command line. */
export function createProgram(): Command {
  const program = new Command();
  program
    .name('virtlab')
    .description(
      'A laboratory of virtualization: runs the same workloads under every strategy on one RISC-V machine model\n' +
        'and shows what each costs and whether each behaves exactly like the real machine.',
    )
    .version(runnerVersion(), '-V, --version', 'print the virtlab version')
    .showHelpAfterError()
    .showSuggestionAfterError();
  registerList(program);
  registerRun(program);
  registerBench(program);
  registerReport(program);
  registerBoot(program);
  registerElf(program);
  return program;
}
