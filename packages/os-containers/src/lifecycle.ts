import { LifecycleError } from './errors.js';

/** zoneadm(8)'s states, in their order. */
export const ZONE_STATES = ['configured', 'installed', 'ready', 'running', 'shutting_down', 'down'] as const;
export type ZoneState = (typeof ZONE_STATES)[number];
export type ZoneAction = 'install' | 'uninstall' | 'ready' | 'boot' | 'shutdown' | 'halted';

/** The legal transitions: action → from → to. Anything else is refused with the state named. */
const TRANSITIONS: Readonly<Record<ZoneAction, Partial<Record<ZoneState, ZoneState>>>> = {
  install: { configured: 'installed' },
  uninstall: { installed: 'configured', down: 'configured' },
  ready: { installed: 'ready', down: 'ready' },
  boot: { ready: 'running' },
  shutdown: { running: 'shutting_down', ready: 'shutting_down' },
  halted: { shutting_down: 'down' },
};

/** The action that moves a zone from one state to the next, if there is one. */
export function actionBetween(from: ZoneState, to: ZoneState): ZoneAction | undefined {
  return (Object.keys(TRANSITIONS) as ZoneAction[]).find((action) => TRANSITIONS[action][from] === to);
}

/** One zone's lifecycle: configured → installed → ready → running → shutting_down → down. */
export class ZoneLifecycle {
  private current: ZoneState = 'configured';
  private readonly log: ZoneState[] = ['configured'];

  constructor(readonly zone: string) {}

  get state(): ZoneState {
    return this.current;
  }

  /** Every state the zone has been in, in order. */
  get history(): readonly ZoneState[] {
    return this.log;
  }

  can(action: ZoneAction): boolean {
    return TRANSITIONS[action][this.current] !== undefined;
  }

  apply(action: ZoneAction): ZoneState {
    const next = TRANSITIONS[action][this.current];
    if (next === undefined) throw new LifecycleError(this.zone, this.current, action);
    this.current = next;
    this.log.push(next);
    return next;
  }

  /** A state the guest reported: the transition to it must be legal (staying put is no move). */
  observe(state: string): ZoneState {
    if (!(ZONE_STATES as readonly string[]).includes(state)) throw new LifecycleError(this.zone, this.current, `enter unknown state '${state}'`);
    if (state === this.current) return this.current;
    const action = actionBetween(this.current, state as ZoneState);
    if (action === undefined) throw new LifecycleError(this.zone, this.current, `go to ${state}`);
    return this.apply(action);
  }
}
