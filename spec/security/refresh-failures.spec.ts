import { afterEach, describe, expect, it } from "vitest";
import type { Fault } from "../../lib/testing/index.js";
import { EXPRESS_MAJORS, serverErrors } from "../support/app.js";
import { restoreClocks } from "../support/clocks.js";
import { useEmulator } from "../support/emulator.js";
import { kakaoContextRoutes } from "../support/kakao-routes.js";
import {
  expectSessionEnded,
  expectSessionKept,
  getToken,
  nearAccessTokenExpiry,
  STACK_TRACE,
} from "../support/refresh-outcomes.js";
import { secretsOf, useApp } from "../support/security.js";
import { signInNewUser } from "../support/sign-in-user.js";

/** The app's `timeout` for calls to Kakao, and a delay well past it. */
const TIMEOUT_MS = 300;
const NO_ANSWER_MS = 2_000;

/** Kakao failing in a way that says nothing about the user's refresh token: try again later. */
const UPSTREAM_FAILURES: Array<[label: string, fault: Fault, status: 502 | 504]> = [
  ["Kakao's token endpoint answers 500", { status: 500, times: Infinity }, 502],
  ["Kakao answers KOE010 (bad client credentials)", { koe: "KOE010", times: Infinity }, 502],
  ["Kakao does not answer within the timeout", { delayMs: NO_ANSWER_MS, times: Infinity }, 504],
];

/** Kakao saying the refresh token is dead, for a token outside the rotation window (fresh login: ~60 days left). */
const DEAD_REFRESH_TOKEN: Array<[label: string, fault: Fault]> = [
  ["KOE322", { koe: "KOE322", times: Infinity }],
  ["a plain invalid_grant without a KOE code", { status: 400, body: { error: "invalid_grant" }, times: Infinity }],
];

describe.each(EXPRESS_MAJORS)("a refresh that fails, on Express %i with kakaoErrorHandler()", (major) => {
  const emu = useEmulator();
  const app = useApp(() => emu.get(), { express: major, routes: kakaoContextRoutes, options: { timeout: TIMEOUT_MS } });

  afterEach(() => {
    restoreClocks(emu.get());
    emu.get().clearFaults();
    expect(serverErrors.splice(0), "the fallback error handler answered a 5xx").toEqual([]);
  });

  /** A signed-in browser whose access token is about to expire, with this fault on Kakao's refresh. */
  async function refreshingInto(fault: Fault) {
    const emulator = emu.get();
    const { flow } = await signInNewUser(app.url, emulator);
    nearAccessTokenExpiry(emulator);
    emulator.fail("refresh", fault);
    return flow;
  }

  describe.each(UPSTREAM_FAILURES)("when %s", (_label, fault, status) => {
    it(`answers an API request with ${status} JSON {"error":"kakao_unavailable"}, no stack trace or secret`, async () => {
      const res = await getToken(await refreshingInto(fault));
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ error: "kakao_unavailable" });
      expect(text).not.toMatch(STACK_TRACE);
      for (const secret of secretsOf(emu.get())) expect(text).not.toContain(secret);
    });

    it(`answers a page load with a short HTML ${status} page without a stack trace or secret`, async () => {
      const res = await getToken(await refreshingInto(fault), "html");
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      const page = await res.text();
      expect(page.length).toBeLessThan(2_000);
      expect(page).not.toMatch(STACK_TRACE);
      for (const secret of secretsOf(emu.get())) expect(page).not.toContain(secret);
    });

    it("keeps the session: once Kakao answers again, the next request refreshes and gets a token", async () => {
      const flow = await refreshingInto(fault);
      await expectSessionKept(emu.get(), flow, await getToken(flow));
    });
  });

  it("gives up on a refresh Kakao does not answer after the timeout, not after Kakao's delay", async () => {
    const flow = await refreshingInto({ delayMs: NO_ANSWER_MS, times: Infinity });
    const started = performance.now();
    const res = await getToken(flow);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(504);
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(NO_ANSWER_MS - 500);
  });

  describe.each(DEAD_REFRESH_TOKEN)("when Kakao answers %s", (_label, fault) => {
    it('answers an API request with 401 {"error":"unauthorized"}', async () => {
      const res = await getToken(await refreshingInto(fault));
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm="kakao"/);
      expect(await res.json()).toEqual({ error: "unauthorized" });
    });

    it("sends a page load to Kakao sign-in with returnTo", async () => {
      const res = await getToken(await refreshingInto(fault), "html");
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("/auth/signin/kakao?returnTo=%2Fkakao%2Ftoken");
    });

    it("ends the session: the cookie is deleted and the next request is anonymous", async () => {
      const flow = await refreshingInto(fault);
      await expectSessionEnded(flow, await getToken(flow));
    });
  });
});
