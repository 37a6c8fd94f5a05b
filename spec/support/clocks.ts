import { vi } from "vitest";
import type { KakaoEmulator, RecordedRequest } from "../../lib/testing/index.js";

/**
 * Moves the app's clock (a fake `Date`; timers stay real) and the emulator's clock forward together,
 * e.g. past an access token's expiry. Undo with `restoreClocks` in `afterEach`.
 */
export function advanceClocks(emulator: KakaoEmulator, seconds: number): void {
  const now = Date.now();
  if (!vi.isFakeTimers()) vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
  vi.setSystemTime(now + seconds * 1000);
  emulator.clock.advance(seconds);
}

/** Real time again for the app, and the emulator's clock back in step with it. */
export function restoreClocks(emulator: KakaoEmulator): void {
  vi.useRealTimers();
  emulator.clock.set(Date.now());
}

/** The value of a form field the emulator recorded. */
export function formField(request: RecordedRequest, name: string): string | undefined {
  return typeof request.body === "string" ? undefined : request.body[name]?.[0];
}

/** Refresh-token grants the emulator has received so far. */
export function refreshRequests(emulator: KakaoEmulator): RecordedRequest[] {
  return emulator.requestsTo("/oauth/token").filter((r) => formField(r, "grant_type") === "refresh_token");
}
