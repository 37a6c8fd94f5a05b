import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExpressMajor } from "../support/app.js";
import { refreshRequests, restoreClocks } from "../support/clocks.js";
import { useEmulator } from "../support/emulator.js";
import { kakaoContextRoutes } from "../support/kakao-routes.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import type { RedisTarget } from "../support/redis-clients.js";
import { engineAvailable, redisEngine, type RedisEngine } from "../support/redis-engines.js";
import { useRedisInstances } from "../support/redis-instances.js";
import { getJson, intoRotationWindow, race, type RaceAnswer } from "../support/rotation-window.js";
import { intoRotationWindowTogether, liveRefreshToken, refreshesWith } from "../support/rotation-window-users.js";
import { SESSION_COOKIE_NAME, useApp } from "../support/security.js";
import { applySetCookies, whoamiWith } from "../support/session-requests.js";
import { signInNewUser } from "../support/sign-in-user.js";

const PARALLEL = 20;
/** Three instances behind one load balancer, Express 4 and 5 mixed. */
const MAJORS: ExpressMajor[] = [5, 4, 5];

const SETUPS: { topology: RedisEngine["topology"]; kind: RedisTarget["kind"]; label: string }[] = [
  { topology: "standalone", kind: "node-redis", label: "a redis-server through node-redis createClient" },
  {
    topology: "cluster",
    kind: "node-redis-cluster",
    label: "a 3-master Redis Cluster through node-redis createCluster",
  },
  { topology: "cluster", kind: "ioredis-cluster", label: "a 3-master Redis Cluster through ioredis Cluster" },
];

const deletesSessionCookie = (a: RaceAnswer): boolean =>
  a.setCookies.some((c) => c.name.startsWith(SESSION_COOKIE_NAME) && (!c.value || c.maxAge === 0));

/** The Cookie header after applying every answer's Set-Cookie in arrival order, as a browser would. */
const cookieAfter = (cookie: string, answers: RaceAnswer[]): string =>
  applySetCookies(
    cookie,
    [...answers].sort((a, b) => a.arrival - b.arrival).flatMap((a) => a.setCookies),
  );

const tokenOf = (a: RaceAnswer): unknown => (a.body as { accessToken?: unknown }).accessToken;

for (const { topology, kind, label } of SETUPS)
  describe.runIf(engineAvailable(topology))(
    `three instances (Express 5, 4, 5) with kakaoAuth({ redis }) on ${label}`,
    () => {
      expectNoServerErrorsAfterEach();
      const emu = useEmulator();
      const engine = redisEngine(topology);
      const instances = useRedisInstances(() => emu.get(), engine, kind, MAJORS);
      /**
       * Where each session's last refresh before the window happens: an instance without `redis`, so
       * no result of it is left in Redis when the fake clock then jumps six hours in an instant.
       */
      const earlier = useApp(() => emu.get(), { express: 5, routes: kakaoContextRoutes });

      /** Each instance answers `/kakao/token` with 200, and `/whoami` as this user. */
      async function expectSignedInEverywhere(cookie: string, userId: string): Promise<void> {
        for (const url of instances.urls) {
          expect((await getJson(`${url}/kakao/token`, cookie)).status, url).toBe(200);
          expect((await whoamiWith(url, cookie)).user?.id, url).toBe(userId);
        }
      }

      describe(`${PARALLEL} parallel requests near expiry inside the rotation window, alternating over the instances`, () => {
        let userId: string;
        let oldCookie: string;
        let refreshes: number;
        let answers: RaceAnswer[];

        beforeAll(async () => {
          const emulator = emu.get();
          const signedIn = await signInNewUser(instances.urls[0]!, emulator);
          userId = signedIn.userId;
          oldCookie = await intoRotationWindow(emulator, earlier.url, signedIn.flow.jar.header());
          const before = refreshRequests(emulator).length;
          answers = await race(instances.urls, "/kakao/token", oldCookie, PARALLEL);
          refreshes = refreshRequests(emulator).length - before;
        });
        afterAll(() => restoreClocks(emu.get()));

        it("refreshes exactly once at Kakao", () => {
          expect(refreshes).toBe(1);
        });

        it(`answers all ${PARALLEL} requests with 200 and the one new access token`, () => {
          expect(answers.map((a) => a.status)).toEqual(Array<number>(PARALLEL).fill(200));
          const tokens = new Set(answers.map(tokenOf));
          expect(tokens.size).toBe(1);
          expect(emu.get().tokensOf(userId).accessTokens).toContain([...tokens][0]);
        });

        it("never deletes the session cookie", () => {
          expect(answers.filter(deletesSessionCookie)).toEqual([]);
        });

        it("leaves the browser signed in on every instance without another refresh", async () => {
          const before = refreshRequests(emu.get()).length;
          await expectSignedInEverywhere(cookieAfter(oldCookie, answers), userId);
          expect(refreshRequests(emu.get()).length).toBe(before);
        });
      });

      describe("the same burst when Kakao answers the first refresh with a 500", () => {
        let userId: string;
        let oldCookie: string;
        let refreshes: number;
        let answers: RaceAnswer[];

        beforeAll(async () => {
          const emulator = emu.get();
          const signedIn = await signInNewUser(instances.urls[0]!, emulator);
          userId = signedIn.userId;
          oldCookie = await intoRotationWindow(emulator, earlier.url, signedIn.flow.jar.header());
          emulator.fail("refresh", { status: 500, body: { error: "server_error" } });
          const before = refreshRequests(emulator).length;
          answers = await race(instances.urls, "/kakao/token", oldCookie, PARALLEL);
          refreshes = refreshRequests(emulator).length - before;
        });
        afterAll(() => {
          emu.get().clearFaults();
          restoreClocks(emu.get());
        });

        it("refreshes once more after the failed one, not once per instance", () => {
          expect(refreshes).toBe(2);
        });

        it("answers only the requests that shared the failed refresh with 502, as one instance would; never 401", () => {
          const failed = answers.filter((a) => a.status !== 200);
          expect(failed.filter((a) => a.status !== 502)).toEqual([]);
          expect(new Set(failed.map((a) => a.instance)).size).toBeLessThanOrEqual(1);
        });

        it("serves every request of the instances that waited for the failed refresh", () => {
          const served = MAJORS.map((_, i) => answers.filter((a) => a.instance === i).every((a) => a.status === 200));
          expect(served.filter(Boolean).length).toBeGreaterThanOrEqual(MAJORS.length - 1);
        });

        it("never deletes the session cookie", () => {
          expect(answers.filter(deletesSessionCookie)).toEqual([]);
        });

        it("leaves the browser signed in on every instance without another refresh", async () => {
          const before = refreshRequests(emu.get()).length;
          await expectSignedInEverywhere(cookieAfter(oldCookie, answers), userId);
          expect(refreshRequests(emu.get()).length).toBe(before);
        });
      });

      describe("the same burst while Redis is down: each process refreshes on its own", () => {
        let userId: string;
        let oldCookie: string;
        let refreshes: number;
        let answers: RaceAnswer[];

        beforeAll(async () => {
          const emulator = emu.get();
          const signedIn = await signInNewUser(instances.urls[1]!, emulator);
          userId = signedIn.userId;
          oldCookie = await intoRotationWindow(emulator, earlier.url, signedIn.flow.jar.header());
          await engine.down();
          const before = refreshRequests(emulator).length;
          answers = await race(instances.urls, "/kakao/token", oldCookie, PARALLEL);
          refreshes = refreshRequests(emulator).length - before;
        });
        afterAll(() => restoreClocks(emu.get()));

        it('answers every request with 200 or 503 {"error":"retry"}, never 401 or another 5xx', () => {
          const unexpected = answers.filter(
            (a) => a.status !== 200 && !(a.status === 503 && (a.body as { error?: unknown }).error === "retry"),
          );
          expect(unexpected.map((a) => ({ status: a.status, body: a.body }))).toEqual([]);
        });

        it("serves a token to every request of the instance whose refresh won", () => {
          const served = MAJORS.map((_, i) => answers.filter((a) => a.instance === i).every((a) => a.status === 200));
          expect(served).toContain(true);
        });

        it("refreshes at most once per instance", () => {
          expect(refreshes).toBeGreaterThanOrEqual(1);
          expect(refreshes).toBeLessThanOrEqual(MAJORS.length);
        });

        it("never deletes the session cookie", () => {
          expect(answers.filter(deletesSessionCookie)).toEqual([]);
        });

        it("leaves the browser signed in on every instance", async () => {
          await expectSignedInEverywhere(cookieAfter(oldCookie, answers), userId);
        });
      });

      describe("Redis back: two users' bursts at once, one of them signed in while Redis was down", () => {
        const users: { id: string; cookie: string; refreshes: number; answers: RaceAnswer[] }[] = [];
        let refreshes: number;

        beforeAll(async () => {
          const emulator = emu.get();
          // Redis is still down from the burst before: this login happens without it.
          const during = await signInNewUser(instances.urls[2]!, emulator);
          await engine.up();
          await instances.ready();
          const after = await signInNewUser(instances.urls[0]!, emulator);
          const cookies = await intoRotationWindowTogether(emulator, earlier.url, [
            during.flow.jar.header(),
            after.flow.jar.header(),
          ]);
          for (const [i, id] of [during.userId, after.userId].entries())
            users.push({ id, cookie: cookies[i]!, refreshes: 0, answers: [] });
          const oldRefreshTokens = users.map((u) => liveRefreshToken(emulator, u.id));
          const counts = oldRefreshTokens.map((token) => refreshesWith(emulator, token));
          const count = refreshRequests(emulator).length;
          // The second user's requests start at the next instance, so each instance serves both.
          const [first, second] = await Promise.all(
            users.map((u, i) =>
              race([...instances.urls.slice(i), ...instances.urls.slice(0, i)], "/kakao/token", u.cookie, PARALLEL),
            ),
          );
          users[0]!.answers = first!;
          users[1]!.answers = second!;
          for (const [i, u] of users.entries())
            u.refreshes = refreshesWith(emulator, oldRefreshTokens[i]!) - counts[i]!;
          refreshes = refreshRequests(emulator).length - count;
        }, 60_000);
        afterAll(() => restoreClocks(emu.get()));

        it("refreshes exactly once per user at Kakao", () => {
          expect(users.map((u) => u.refreshes)).toEqual([1, 1]);
          expect(refreshes).toBe(2);
        });

        it(`answers all ${2 * PARALLEL} requests with 200`, () => {
          expect(users.flatMap((u) => u.answers.map((a) => a.status))).toEqual(Array<number>(2 * PARALLEL).fill(200));
        });

        it("gives each user its own new access token, never the other's", () => {
          const emulator = emu.get();
          const [a, b] = users.map((u) => new Set(u.answers.map(tokenOf)));
          expect([a!.size, b!.size]).toEqual([1, 1]);
          expect(emulator.tokensOf(users[0]!.id).accessTokens).toContain([...a!][0]);
          expect(emulator.tokensOf(users[1]!.id).accessTokens).toContain([...b!][0]);
          expect([...a!][0]).not.toBe([...b!][0]);
        });

        it("never deletes a session cookie", () => {
          expect(users.flatMap((u) => u.answers.filter(deletesSessionCookie))).toEqual([]);
        });

        it("leaves each browser signed in as its own user on every instance", async () => {
          for (const u of users) await expectSignedInEverywhere(cookieAfter(u.cookie, u.answers), u.id);
        });
      });
    },
  );
