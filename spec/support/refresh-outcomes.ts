import { expect } from "vitest";
import type { KakaoEmulator } from "../../lib/testing/index.js";
import { advanceClocks, refreshRequests } from "./clocks.js";
import type { LoginFlow } from "./login-flow.js";
import { expectNoSession, SESSION_COOKIE_NAME } from "./security.js";

/** Kakao's access-token lifetime (kakao-api.md §3): 21599 s. */
export const ACCESS_TOKEN_TTL_S = 21_599;

/**
 * Thirty seconds before the access token expires: inside `accessToken()`'s one-minute margin, so the
 * next call refreshes. Moves the app's and the emulator's clocks together (undo with `restoreClocks`).
 */
export function nearAccessTokenExpiry(emulator: KakaoEmulator): void {
  advanceClocks(emulator, ACCESS_TOKEN_TTL_S - 30);
}

/** Signs of a leaked stack trace or source path in a page or JSON body. */
export const STACK_TRACE = /\n\s+at\s|node:internal|node_modules|\.[cm]?[jt]s:\d+/;

/** True when the response deletes the session cookie (or a chunk of it): empty value, Max-Age=0 or a past Expires. */
export function clearsSessionCookie(res: Response): boolean {
  return res.headers.getSetCookie().some((line) => {
    const [pair = "", ...attrs] = line.split(";");
    const i = pair.indexOf("=");
    if (!pair.slice(0, i).includes(SESSION_COOKIE_NAME)) return false;
    const expired = attrs.some((a) => {
      const [k = "", v = ""] = a.split("=").map((s) => s.trim());
      if (/^max-age$/i.test(k)) return Number(v) <= 0;
      if (/^expires$/i.test(k)) return Date.parse(v) <= Date.now();
      return false;
    });
    return pair.slice(i + 1).trim() === "" || expired;
  });
}

/** GET `/kakao/token` (which calls `req.kakao.accessToken()`) as an API call or a page load. */
export function getToken(flow: LoginFlow, as: "json" | "html" = "json"): Promise<Response> {
  return flow.get("/kakao/token", { accept: as === "json" ? "application/json" : "text/html" });
}

/**
 * "Session kept": the failed answer did not delete the session cookie, and once Kakao answers again
 * the same browser gets a token from a refresh at Kakao.
 */
export async function expectSessionKept(emulator: KakaoEmulator, flow: LoginFlow, failed: Response): Promise<void> {
  expect(clearsSessionCookie(failed), "the failed answer deleted the session cookie").toBe(false);
  flow.jar.take(failed);
  expect(flow.hasSession(), "the browser lost its session cookie").toBe(true);
  emulator.clearFaults();
  const refreshesBefore = refreshRequests(emulator).length;
  const retried = await getToken(flow);
  expect(retried.status).toBe(200);
  expect(await retried.json()).toMatchObject({ accessToken: expect.any(String) });
  expect(refreshRequests(emulator).length - refreshesBefore, "the retry did not refresh at Kakao").toBe(1);
  flow.jar.take(retried);
}

/** "Session ended": the answer deleted the session cookie and the next request is anonymous. */
export async function expectSessionEnded(flow: LoginFlow, answer: Response): Promise<void> {
  expect(clearsSessionCookie(answer), "the answer did not delete the session cookie").toBe(true);
  flow.jar.take(answer);
  await expectNoSession(flow);
}
