import { parseSetCookie } from "cookie";
import type { KakaoEmulator } from "../../lib/testing/index.js";
import { advanceClocks, formField, refreshRequests } from "./clocks.js";
import { ACCESS_TOKEN_TTL_S } from "./refresh-outcomes.js";
import { getJson, REFRESH_TOKEN_TTL_S, ROTATION_WINDOW_S } from "./rotation-window.js";
import { applySetCookies } from "./session-requests.js";

/**
 * `intoRotationWindow` for several browsers at once: the clocks move once for all of them (moving
 * them per browser would age the first one's refresh token past its two months). Each browser's
 * refresh before the window happens at `appUrl`; returns their Cookie headers after it, in order.
 */
export async function intoRotationWindowTogether(
  emulator: KakaoEmulator,
  appUrl: string,
  cookies: string[],
): Promise<string[]> {
  advanceClocks(emulator, REFRESH_TOKEN_TTL_S - ROTATION_WINDOW_S - 3_600);
  const refreshed: string[] = [];
  for (const cookie of cookies) {
    const res = await getJson(`${appUrl}/kakao/token`, cookie);
    if (res.status !== 200) throw new Error(`the refresh before the window answered ${res.status}`);
    refreshed.push(
      applySetCookies(
        cookie,
        res.headers.getSetCookie().map((line) => parseSetCookie(line)),
      ),
    );
  }
  advanceClocks(emulator, ACCESS_TOKEN_TTL_S - 30);
  return refreshed;
}

/** The one refresh token the emulator holds for this user (throws when it holds none or several). */
export function liveRefreshToken(emulator: KakaoEmulator, userId: string): string {
  const tokens = emulator.tokensOf(userId).refreshTokens;
  if (tokens.length !== 1) throw new Error(`user ${userId} has ${tokens.length} live refresh tokens, not 1`);
  return tokens[0]!;
}

/** How many refresh-token grants the emulator received for this refresh token so far. */
export function refreshesWith(emulator: KakaoEmulator, refreshToken: string): number {
  return refreshRequests(emulator).filter((r) => formField(r, "refresh_token") === refreshToken).length;
}
