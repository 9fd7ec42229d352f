import { virtlabTsup } from '@virtlab/tsup-config';

export default virtlabTsup();
