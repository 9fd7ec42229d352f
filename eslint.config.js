import { virtlabEslint } from '@virtlab/eslint-config';

export default virtlabEslint({ tsconfigRootDir: import.meta.dirname });
