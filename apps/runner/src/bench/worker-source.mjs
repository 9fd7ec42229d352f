// Worker entry when the runner runs from TypeScript source: module hooks registered with
// `--import tsx` in the main thread do not reach worker threads, so register them here first.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
