import { parseSetCookie, type SetCookie } from "cookie";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { serverErrors } from "../support/app.js";
import { advanceClocks, refreshRequests, restoreClocks } from "../support/clocks.js";
import { useEmulator } from "../support/emulator.js";
import { kakaoContextRoutes } from "../support/kakao-routes.js";
import { clearsSessionCookie } from "../support/refresh-outcomes.js";
import { getJson, intoRotationWindow, race, revokeTokensAtKakao, type RaceAnswer } from "../support/rotation-window.js";
import { SESSION_COOKIE_NAME, useApp } from "../support/security.js";
import { applySetCookies, whoamiWith } from "../support/session-requests.js";
import { signInNewUser } from "../support/sign-in-user.js";

const PARALLEL = 20;

afterEach(() => {
  expect(serverErrors.splice(0), "the fallback error handler answered a 5xx").toEqual([]);
});

describe("two instances refreshing one session inside Kakao's rotation window (issue item 8)", () => {
  const emu = useEmulator();
  // Two kakaoAuth() instances sharing SECRET and Kakao, as behind a load balancer.
  const instances = [
    useApp(() => emu.get(), { express: 5, routes: kakaoContextRoutes }),
    useApp(() => emu.get(), { express: 4, routes: kakaoContextRoutes }),
  ];
  /** A third instance, where the session's last refresh (before the window) happened. */
  const earlier = useApp(() => emu.get(), { express: 5, routes: kakaoContextRoutes });
  const urls = () => instances.map((i) => i.url);

  describe(`${PARALLEL} parallel requests with the same old cookie, alternating between the instances`, () => {
    let userId: string;
    let oldCookie: string;
    let originalRefreshToken: string | undefined;
    let refreshes: number;
    let answers: RaceAnswer[];

    beforeAll(async () => {
      const emulator = emu.get();
      const signedIn = await signInNewUser(earlier.url, emulator);
      userId = signedIn.userId;
      oldCookie = await intoRotationWindow(emulator, earlier.url, signedIn.flow.jar.header());
      [originalRefreshToken] = emulator.tokensOf(userId).refreshTokens;
      const before = refreshRequests(emulator).length;
      answers = await race(urls(), "/kakao/token", oldCookie, PARALLEL);
      refreshes = refreshRequests(emulator).length - before;
    });
    afterAll(() => restoreClocks(emu.get()));

    /** Instances that answered some request with 503 retry: their refresh lost to the other's rotation. */
    const losers = () => new Set(answers.filter((a) => a.status === 503).map((a) => a.instance));

    it("answers every request with 200 or 503, never 401 or another 5xx", () => {
      expect(answers.map((a) => a.status).filter((s) => s !== 200 && s !== 503)).toEqual([]);
    });

    it('answers any request it cannot serve yet with 503 {"error":"retry"} and Retry-After: 1', () => {
      for (const a of answers.filter((x) => x.status === 503)) {
        expect(a.body).toMatchObject({ error: "retry" });
        expect(a.retryAfter).toBe("1");
      }
    });

    it("lets at least one instance serve a token", () => {
      expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(0);
    });

    it("never deletes the session cookie", () => {
      const deleting = answers.filter((a) =>
        a.setCookies.some((c) => c.name.startsWith(SESSION_COOKIE_NAME) && (!c.value || c.maxAge === 0)),
      );
      expect(deleting).toEqual([]);
    });

    it("refreshes once at the winning instance plus once per instance that lost, at most once per instance", () => {
      expect(refreshes, `refresh calls at Kakao; instances that lost: ${losers().size}`).toBe(1 + losers().size);
      expect(refreshes).toBeLessThanOrEqual(instances.length);
    });

    it("rotates the refresh token at Kakao exactly once", () => {
      const live = emu.get().tokensOf(userId).refreshTokens;
      expect(live).toHaveLength(1);
      expect(live[0]).not.toBe(originalRefreshToken);
    });

    it("leaves the browser, applying every Set-Cookie in arrival order, signed in at both instances", async () => {
      const ordered = [...answers].sort((a, b) => a.arrival - b.arrival);
      const cookie = applySetCookies(
        oldCookie,
        ordered.flatMap((a) => a.setCookies),
      );
      for (const url of urls()) {
        const res = await getJson(`${url}/kakao/token`, cookie);
        expect(res.status, url).toBe(200);
        expect((await whoamiWith(url, cookie)).user?.id).toBe(userId);
      }
    });

    it("leaves the winner's cookie good for a token at both instances without another refresh", async () => {
      const winner = answers.find((a) => a.status === 200 && a.setCookies.some((c) => c.name === SESSION_COOKIE_NAME));
      expect(winner, "no 200 answer set a session cookie").toBeDefined();
      const cookie = applySetCookies(oldCookie, winner!.setCookies);
      const before = refreshRequests(emu.get()).length;
      for (const url of urls()) expect((await getJson(`${url}/kakao/token`, cookie)).status, url).toBe(200);
      expect(refreshRequests(emu.get()).length).toBe(before);
    });
  });

  describe("a refresh written back more than updateAge (1 day) after the cookie was last written", () => {
    afterEach(() => restoreClocks(emu.get()));

    /** The Set-Cookie lines for the session cookie in the answer to a refresh two days after login. */
    async function refreshTwoDaysLater(): Promise<SetCookie[]> {
      const emulator = emu.get();
      const { flow } = await signInNewUser(instances[0]!.url, emulator);
      advanceClocks(emulator, 2 * 86_400);
      const res = await getJson(`${instances[0]!.url}/kakao/token`, flow.jar.header());
      expect(res.status).toBe(200);
      return res.headers
        .getSetCookie()
        .map((line) => parseSetCookie(line))
        .filter((c) => c.name === SESSION_COOKIE_NAME);
    }

    it("sets the session cookie once, so no browser or proxy can keep the copy with the old tokens (RFC 6265 §4.1.1)", async () => {
      expect(await refreshTwoDaysLater()).toHaveLength(1);
    });

    it("ends with the session cookie that holds the refreshed tokens", async () => {
      const last = (await refreshTwoDaysLater()).at(-1)!;
      const before = refreshRequests(emu.get()).length;
      const res = await getJson(`${instances[1]!.url}/kakao/token`, `${SESSION_COOKIE_NAME}=${last.value}`);
      expect(res.status).toBe(200);
      expect(refreshRequests(emu.get()).length, "the last cookie still needed a refresh").toBe(before);
    });
  });

  describe("a refresh token that is really dead inside the rotation window", () => {
    afterEach(() => restoreClocks(emu.get()));

    /** A browser inside the window whose tokens were all revoked at Kakao (admin logout). */
    async function revokedInsideWindow(): Promise<{ url: string; cookie: string }> {
      const emulator = emu.get();
      const url = instances[0]!.url;
      const { flow, userId } = await signInNewUser(earlier.url, emulator);
      const cookie = await intoRotationWindow(emulator, earlier.url, flow.jar.header());
      await revokeTokensAtKakao(emulator, userId);
      return { url, cookie };
    }

    it('is answered with 503 {"error":"retry"} and Retry-After: 1 at first', async () => {
      const { url, cookie } = await revokedInsideWindow();
      const res = await getJson(`${url}/kakao/token`, cookie);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("1");
      expect(await res.json()).toMatchObject({ error: "retry" });
    });

    it("keeps the session cookie at first", async () => {
      const { url, cookie } = await revokedInsideWindow();
      const res = await getJson(`${url}/kakao/token`, cookie);
      expect(clearsSessionCookie(res)).toBe(false);
      expect((await whoamiWith(url, cookie)).user).not.toBeNull();
    });

    it("still answers retry, keeping the session, a few seconds later inside the grace", async () => {
      const { url, cookie } = await revokedInsideWindow();
      expect((await getJson(`${url}/kakao/token`, cookie)).status).toBe(503);
      advanceClocks(emu.get(), 5);
      const res = await getJson(`${url}/kakao/token`, cookie);
      expect(res.status).toBe(503);
      expect(clearsSessionCookie(res)).toBe(false);
    });

    it("ends the session once the 10-second grace has passed", async () => {
      const { url, cookie } = await revokedInsideWindow();
      expect((await getJson(`${url}/kakao/token`, cookie)).status).toBe(503);
      advanceClocks(emu.get(), 11);
      const res = await getJson(`${url}/kakao/token`, cookie);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: "unauthorized" });
      expect(clearsSessionCookie(res)).toBe(true);
      const after = applySetCookies(
        cookie,
        res.headers.getSetCookie().map((line) => parseSetCookie(line)),
      );
      expect((await whoamiWith(url, after)).user).toBeNull();
    });
  });
});
