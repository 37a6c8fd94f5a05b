import { afterEach, vi } from "vitest";

export interface FrozenClock {
  /** Milliseconds since epoch when the clock was frozen. */
  readonly start: number;
  /** Moves `Date` forward (or back, for negative values) by this many seconds. */
  advance(seconds: number): void;
  /** Sets `Date` to `start` plus this many seconds. */
  at(seconds: number): void;
}

/**
 * Fakes `Date` only (sockets and timers stay real, so HTTP keeps working) and freezes it; the
 * spec moves it explicitly. Real time is back after each test.
 */
export function freezeDate(start = Date.now()): FrozenClock {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(start);
  return {
    start,
    advance: (seconds) => vi.setSystemTime(Date.now() + seconds * 1000),
    at: (seconds) => vi.setSystemTime(start + seconds * 1000),
  };
}

/** Registers the `afterEach` that brings real time back (call once at the top of a spec file). */
export function restoreRealDateAfterEach(): void {
  afterEach(() => {
    vi.useRealTimers();
  });
}
