import { virtlabTsup } from '@virtlab/tsup-config';

export default virtlabTsup({ entry: ['src/index.ts', 'src/readme-example.ts'] });
