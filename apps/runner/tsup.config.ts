import { virtlabTsup } from '@virtlab/tsup-config';

export default virtlabTsup({ entry: { index: 'src/index.ts', cli: 'src/cli.ts', 'bench-worker': 'src/bench/worker.ts' } });
