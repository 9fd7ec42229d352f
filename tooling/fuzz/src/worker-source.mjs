// Worker entry from TypeScript source: `--import tsx` in the main thread does not reach worker
// threads, so register tsx here first (as the runner's bench workers do).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
