import { parseSetCookie, type SetCookie } from "cookie";
import type { KakaoEmulator } from "../../lib/testing/index.js";
import { advanceClocks } from "./clocks.js";
import { ACCESS_TOKEN_TTL_S } from "./refresh-outcomes.js";
import { applySetCookies } from "./session-requests.js";

/** Kakao's refresh-token lifetime and rotation window (kakao-api.md §3.5; the emulator's defaults). */
export const REFRESH_TOKEN_TTL_S = 5_183_999;
export const ROTATION_WINDOW_S = 30 * 86_400;

/** One answer of a race, with the instance that gave it and the order it arrived in. */
export interface RaceAnswer {
  instance: number;
  arrival: number;
  status: number;
  retryAfter: string | null;
  body: unknown;
  setCookies: SetCookie[];
}

/** GET `path` with this Cookie header and a JSON Accept, no redirects followed. */
export function getJson(url: string, cookie: string): Promise<Response> {
  return fetch(url, { redirect: "manual", headers: { cookie, accept: "application/json" } });
}

/**
 * Brings a signed-in browser (its Cookie header) into Kakao's rotation window with its access token
 * thirty seconds from expiry, the way a real session gets there: one refresh at `appUrl` an hour
 * before the window (Kakao does not rotate then), then the access token ages six hours. Both clocks
 * move (undo with `restoreClocks`). Returns the Cookie header after that refresh.
 *
 * Make that refresh at an instance the spec does not race on: the fake clock jumps six hours in
 * an instant, so whatever an instance remembers about a refresh for a few real seconds would still
 * be fresh, which it could not be six real hours later.
 */
export async function intoRotationWindow(emulator: KakaoEmulator, appUrl: string, cookie: string): Promise<string> {
  advanceClocks(emulator, REFRESH_TOKEN_TTL_S - ROTATION_WINDOW_S - 3_600);
  const res = await getJson(`${appUrl}/kakao/token`, cookie);
  if (res.status !== 200) throw new Error(`the refresh before the window answered ${res.status}`);
  const setCookies = res.headers.getSetCookie().map((line) => parseSetCookie(line));
  advanceClocks(emulator, ACCESS_TOKEN_TTL_S - 30);
  return applySetCookies(cookie, setCookies);
}

/** Sends `count` requests at once, alternating between the instances, and records each answer. */
export async function race(urls: string[], path: string, cookie: string, count: number): Promise<RaceAnswer[]> {
  let arrived = 0;
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const instance = i % urls.length;
      const res = await getJson(`${urls[instance]}${path}`, cookie);
      const arrival = arrived++;
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: kept as text for the assertion message
      }
      return {
        instance,
        arrival,
        status: res.status,
        retryAfter: res.headers.get("retry-after"),
        body,
        setCookies: res.headers.getSetCookie().map((line) => parseSetCookie(line)),
      };
    }),
  );
}

/** Ends every token of the user at Kakao (admin-key logout, kakao-api.md §5.2). */
export async function revokeTokensAtKakao(emulator: KakaoEmulator, userId: string): Promise<void> {
  const res = await fetch(`${emulator.url}/v1/user/logout`, {
    method: "POST",
    headers: { authorization: `KakaoAK ${emulator.adminKey}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ target_id_type: "user_id", target_id: userId }),
  });
  if (res.status !== 200) throw new Error(`admin logout answered ${res.status}`);
}
