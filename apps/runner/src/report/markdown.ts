import type { BenchResult } from '../bench/record.js';
import { allTables, notes, type TableData } from './tables.js';

const escape = (s: string) => s.replace(/\|/g, '\\|');

export function markdownTable(t: TableData): string {
  const head = `| ${t.header.map(escape).join(' | ')} |`;
  const rule = `|${t.header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`;
  const body = t.rows.map((r) => `| ${r.map(escape).join(' | ')} |`);
  return [`### ${t.title}`, '', head, rule, ...body].join('\n');
}

export function renderMarkdown(result: BenchResult): string {
  const m = result.machine;
  const parts = [
    '# virtlab bench results',
    '',
    `- date: ${result.date}`,
    `- machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}`,
    `- command: \`${result.command}\``,
    `- sizes: ${result.sizes.join(', ')}; host-view repeats: ${result.repeats} (median reported)`,
    `- lab view: cost model \`${result.costModel ?? 'default'}\`, ISA profile \`${result.profile ?? 'rv32ima'}\``,
    '',
    ...allTables(result).flatMap((t) => [markdownTable(t), '']),
  ];
  const n = notes(result);
  if (n.length > 0) parts.push('### Notes', '', ...n.map((line) => `- ${line}`), '');
  return parts.join('\n');
}
