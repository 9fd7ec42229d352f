#!/usr/bin/env node
import { CommanderError } from 'commander';
import { createProgram } from './program.js';

const program = createProgram().exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`virtlab: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
