import { DuplicateNameError, UnknownNameError } from './errors.js';
import type { Strategy, View, Workload } from './types.js';

/** A named collection with lookups that fail with the list of what exists. */
export class NamedSet<T extends { readonly name: string }> {
  readonly #items = new Map<string, T>();

  constructor(
    readonly kind: string,
    items: Iterable<T> = [],
  ) {
    for (const item of items) this.add(item);
  }

  add(item: T): this {
    if (this.#items.has(item.name)) throw new DuplicateNameError(this.kind, item.name);
    this.#items.set(item.name, item);
    return this;
  }

  has(name: string): boolean {
    return this.#items.has(name);
  }

  /** The item called `name`; throws `UnknownNameError` listing the known names. */
  get(name: string): T {
    const item = this.#items.get(name);
    if (item === undefined) throw new UnknownNameError(this.kind, name, this.names());
    return item;
  }

  /** Resolves several names at once, failing on the first unknown one. */
  select(names: readonly string[]): T[] {
    return names.map((name) => this.get(name));
  }

  names(): string[] {
    return [...this.#items.keys()];
  }

  list(): T[] {
    return [...this.#items.values()];
  }
}

/** The strategies and workloads the runner knows; packages add theirs at startup. */
export class Registry {
  readonly strategies = new NamedSet<Strategy>('strategy');
  readonly workloads = new NamedSet<Workload>('workload');

  registerStrategy(strategy: Strategy): this {
    this.strategies.add(strategy);
    return this;
  }

  registerWorkload(workload: Workload): this {
    this.workloads.add(workload);
    return this;
  }

  strategiesOf(view: View): Strategy[] {
    return this.strategies.list().filter((s) => s.view === view);
  }
}
