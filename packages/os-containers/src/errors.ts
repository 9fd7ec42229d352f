/** Where in a configuration file something is: 1-based line and column. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** What kind of mistake a configuration holds. */
export type ConfigErrorKind =
  | 'syntax'
  | 'unknown-key'
  | 'bad-value'
  | 'duplicate'
  | 'above-machine'
  | 'nesting'
  | 'missing';

/** A configuration mistake, named with its file, line and column; it never reaches the guest. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly kind: ConfigErrorKind,
    readonly position: SourcePosition,
    readonly detail: string,
  ) {
    super(`${position.file}:${position.line}:${position.column}: ${detail}`);
  }
}

/** An illegal zone lifecycle transition: names the state the zone is in. */
export class LifecycleError extends Error {
  override readonly name = 'LifecycleError';
  constructor(
    readonly zone: string,
    readonly state: string,
    readonly action: string,
  ) {
    super(`zone '${zone}' is ${state}: cannot ${action}`);
  }
}

/** The guest did not do what the configuration asked (a jail refused, a run failed to start). */
export class GuestJailError extends Error {
  override readonly name = 'GuestJailError';
}
