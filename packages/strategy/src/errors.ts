/** Base class of every error this package throws, so callers can tell ours from a crash. */
export class StrategyError extends Error {
  override name = 'StrategyError';
}

/** A strategy was asked to run a workload (or a size of it) that it cannot run. */
export class UnsupportedWorkloadError extends StrategyError {
  override name = 'UnsupportedWorkloadError';
  constructor(
    readonly strategy: string,
    readonly workload: string,
    readonly reason: string,
  ) {
    super(`strategy '${strategy}' cannot run workload '${workload}': ${reason}`);
  }
}

/** A name that the registry does not know; the message lists what exists. */
export class UnknownNameError extends StrategyError {
  override name = 'UnknownNameError';
  constructor(
    readonly kind: string,
    readonly requested: string,
    readonly known: readonly string[],
  ) {
    super(`unknown ${kind} '${requested}'; known: ${known.length > 0 ? known.join(', ') : '(none)'}`);
  }
}

/** Two registrations under one name. */
export class DuplicateNameError extends StrategyError {
  override name = 'DuplicateNameError';
  constructor(
    readonly kind: string,
    readonly duplicate: string,
  ) {
    super(`${kind} '${duplicate}' is already registered`);
  }
}
