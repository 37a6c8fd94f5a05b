import type { KakaoAuthOptions } from "../../lib/index.js";

export type UnlinkEvent = Parameters<NonNullable<KakaoAuthOptions["onUnlink"]>>[0];

/**
 * An `onUnlink` hook that records its calls, lets a spec wait for the call about one user, and can
 * be made slow (it then awaits a 10 s timer that `dispose()` clears, so nothing keeps vitest alive).
 */
export class UnlinkRecorder {
  readonly events: UnlinkEvent[] = [];
  slowMs = 0;
  readonly #waiters = new Map<string, Array<(event: UnlinkEvent) => void>>();
  readonly #timers = new Set<NodeJS.Timeout>();

  readonly hook = (event: UnlinkEvent): Promise<void> | void => {
    this.events.push(event);
    for (const resolve of this.#waiters.get(event.userId) ?? []) resolve(event);
    this.#waiters.delete(event.userId);
    if (this.slowMs > 0) return new Promise<void>((resolve) => this.#timers.add(setTimeout(resolve, this.slowMs)));
  };

  /** Resolves with the next (or an already recorded) hook call for this user. */
  calledFor(userId: string): Promise<UnlinkEvent> {
    const seen = this.events.find((e) => e.userId === userId);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.set(userId, [...(this.#waiters.get(userId) ?? []), resolve]));
  }

  /** Clears pending slow-hook timers. */
  dispose(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}

/** Lets the webhook's deferred work (revocation, hook) run before a spec looks for side effects. */
export function afterDeferredWork(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}
