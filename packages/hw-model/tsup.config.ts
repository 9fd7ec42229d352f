import { virtlabTsup } from '@virtlab/tsup-config';

// The test-program catalog is a second entry (`@virtlab/hw-model/test-programs`) for the runner's
// differential tests; it reads the committed images next to the package.
export default virtlabTsup({ entry: { index: 'src/index.ts', programs: 'test-programs/programs.ts' } });
