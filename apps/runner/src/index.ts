export { createProgram } from './program.js';
export { runnerVersion } from './version.js';
