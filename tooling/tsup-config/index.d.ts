import type { Options, defineConfig } from 'tsup';

export declare function virtlabTsup(overrides?: Options): ReturnType<typeof defineConfig>;
