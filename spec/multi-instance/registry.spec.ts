import session from "express-session";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KakaoAuthOptions } from "../../lib/index.js";
import type { KakaoEmulator } from "../../lib/testing/index.js";
import { SECRET } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { EXPRESS_SESSION_COOKIE } from "../support/express-session-app.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import { redisAvailable } from "../support/redis.js";
import { eventually, RegistryBrowser } from "../support/registry-browser.js";
import { packageCopy, startRegistryInstance, type RegistryInstance } from "../support/registry-instances.js";
import {
  IoredisClusterTopology,
  NodeRedisClusterTopology,
  requestPathCommands,
  StandaloneTopology,
  type RegistryTopology,
} from "../support/registry-redis.js";

/*
 * Instances A (Express 5) and B (Express 4) share SECRET, one Kakao emulator and one Redis, and
 * each runs its own copy of the package (packageCopy), so what one learns reaches the other only
 * through Redis, as between two processes.
 */

/** How long a sign-out on one instance may take to reach the other: the pub/sub push, not the 5 s poll. */
const PUSHED_WITHIN_MS = 1_000;

let lastUser = 7_100_000_000;
/** A Kakao user id no other test signs in with. */
const newUserId = (): string => String(++lastUser);

/** Whether each instance takes `browser` for anonymous, within the push window. */
function anonymousOn(browser: RegistryBrowser, ...instances: RegistryInstance[]): Promise<boolean[]> {
  return Promise.all(
    instances.map((i) => eventually(async () => (await browser.whoIsSignedIn(i.url)) === null, PUSHED_WITHIN_MS)),
  );
}

interface Instances {
  readonly a: RegistryInstance;
  readonly b: RegistryInstance;
}

/** A new user signed in on A from a laptop, then on B from a phone. */
async function laptopThenPhone(
  emulator: KakaoEmulator,
  apps: Instances,
): Promise<{ laptop: RegistryBrowser; phone: RegistryBrowser }> {
  const userId = newUserId();
  const laptop = await new RegistryBrowser(emulator, userId, "Laptop/1.0 (Macintosh)").signIn(apps.a.url);
  const phone = await new RegistryBrowser(emulator, userId, "Phone/2.0 (iPhone)").signIn(apps.b.url);
  return { laptop, phone };
}

/**
 * Starts A (Express 5) and B (Express 4) for the enclosing describe, each with a Redis client of
 * its own (none when `redisClient` is omitted), and fails any test after which either answered a 5xx.
 */
function useInstances(
  getEmulator: () => KakaoEmulator,
  spec: { redisClient?: () => Promise<unknown>; options?: KakaoAuthOptions; expressSessionStore?: () => session.Store },
): Instances {
  const serverErrors: Error[] = [];
  const started: RegistryInstance[] = [];
  beforeAll(async () => {
    const store = spec.expressSessionStore?.();
    for (const express of [5, 4] as const)
      started.push(
        await startRegistryInstance({
          express,
          emulator: getEmulator(),
          redis: await spec.redisClient?.(),
          options: spec.options ?? {},
          serverErrors,
          ...(store ? { expressSessionStore: store } : {}),
        }),
      );
  });
  afterAll(async () => {
    for (const i of started.splice(0)) await i.close();
  });
  expectNoServerErrorsAfterEach(serverErrors);
  const at = (i: number): RegistryInstance => {
    const instance = started[i];
    if (!instance) throw new Error("instances not started");
    return instance;
  };
  return {
    get a() {
      return at(0);
    },
    get b() {
      return at(1);
    },
  };
}

const topologies: RegistryTopology[] = [
  new StandaloneTopology(),
  new NodeRedisClusterTopology(),
  new IoredisClusterTopology(),
];

for (const topology of topologies) {
  describe.runIf(topology.available())(`the session registry on ${topology.name}`, () => {
    const emu = useEmulator();
    beforeAll(() => topology.start());
    afterAll(() => topology.stop());

    describe("with instance A on Express 5 and B on Express 4", () => {
      const apps = useInstances(() => emu.get(), { redisClient: () => topology.client() });

      it("lists both sessions of a user signed in on A and on B, current only for the one asking", async () => {
        const { laptop, phone } = await laptopThenPhone(emu.get(), apps);
        const fromLaptop = await laptop.sessions(apps.a.url);
        const fromPhone = await phone.sessions(apps.a.url);
        expect(fromLaptop.map((s) => s.userAgent)).toEqual(["Laptop/1.0 (Macintosh)", "Phone/2.0 (iPhone)"]);
        expect(fromLaptop.map((s) => s.current)).toEqual([true, false]);
        expect(fromPhone.map((s) => s.current)).toEqual([false, true]);
      });

      it("lists the same sessions on B as on A", async () => {
        const { laptop } = await laptopThenPhone(emu.get(), apps);
        // lastSeenAt left out: each instance batches the last-seen times of the requests it served.
        const listed = async (url: string) =>
          (await laptop.sessions(url)).map(({ id, current, createdAt, userAgent }) => ({
            id,
            current,
            createdAt,
            userAgent,
          }));
        expect(await listed(apps.b.url)).toEqual(await listed(apps.a.url));
      });

      it("reports createdAt and lastSeenAt in milliseconds, oldest login first", async () => {
        const before = Date.now();
        const { laptop } = await laptopThenPhone(emu.get(), apps);
        const [first, second] = await laptop.sessions(apps.a.url);
        for (const s of [first!, second!]) {
          expect(s.createdAt).toBeGreaterThanOrEqual(before);
          expect(s.createdAt).toBeLessThanOrEqual(Date.now());
          expect(s.lastSeenAt).toBeGreaterThanOrEqual(s.createdAt);
        }
        expect(first!.createdAt).toBeLessThanOrEqual(second!.createdAt);
        expect(first!.id).not.toBe(second!.id);
      });

      it("signOutOthers() ends the other session: its cookie is anonymous on A and on B", async () => {
        const { laptop, phone } = await laptopThenPhone(emu.get(), apps);
        const res = await laptop.request(apps.a.url, "/sign-out-others", { method: "POST" });
        expect(await res.json()).toEqual({ ended: 1 });
        expect(await anonymousOn(phone, apps.a, apps.b)).toEqual([true, true]);
      });

      it("signOutOthers() keeps the session that asked, signed in and the only one listed", async () => {
        const { phone } = await laptopThenPhone(emu.get(), apps);
        await phone.request(apps.b.url, "/sign-out-others", { method: "POST" });
        expect(await phone.whoIsSignedIn(apps.a.url)).toBe(phone.userId);
        expect(await phone.whoIsSignedIn(apps.b.url)).toBe(phone.userId);
        const listed = await phone.sessions(apps.a.url);
        expect(listed.map((s) => [s.userAgent, s.current])).toEqual([["Phone/2.0 (iPhone)", true]]);
      });

      it("revokeKakaoSession(id) ends exactly that session, on A and on B", async () => {
        const { laptop, phone } = await laptopThenPhone(emu.get(), apps);
        const phoneId = await phone.sessionId(apps.b.url);
        await apps.a.pkg.revokeKakaoSession(phoneId);
        expect(await anonymousOn(phone, apps.a, apps.b)).toEqual([true, true]);
        expect(await laptop.whoIsSignedIn(apps.b.url)).toBe(laptop.userId);
        expect((await laptop.sessions(apps.b.url)).map((s) => s.userAgent)).toEqual(["Laptop/1.0 (Macintosh)"]);
      });

      it("writes a login to the registry: HSET of its entry, SET of its owner, PEXPIRE", async () => {
        const before = await topology.commandCalls();
        await new RegistryBrowser(emu.get(), newUserId(), "Laptop/1.0").signIn(apps.a.url);
        expect(requestPathCommands(before, await topology.commandCalls())).toMatchObject({
          hset: 1,
          set: 1,
          pexpire: 1,
        });
      });

      it("makes no Redis round trip on signed-in requests: 50 on A and B send Redis no command", async () => {
        const { laptop, phone } = await laptopThenPhone(emu.get(), apps);
        const before = await topology.commandCalls();
        for (let i = 0; i < 25; i++) {
          expect(await laptop.whoIsSignedIn(i % 2 ? apps.b.url : apps.a.url)).toBe(laptop.userId);
          expect(await phone.whoIsSignedIn(i % 2 ? apps.a.url : apps.b.url)).toBe(phone.userId);
        }
        expect(requestPathCommands(before, await topology.commandCalls())).toEqual({});
      });

      it("shows a request's time as lastSeenAt once sessions() has flushed the batched writes", async () => {
        const { laptop } = await laptopThenPhone(emu.get(), apps);
        await new Promise((r) => setTimeout(r, 30));
        const seen = Date.now();
        await laptop.whoIsSignedIn(apps.a.url);
        const [mine] = await laptop.sessions(apps.a.url);
        expect(mine!.lastSeenAt).toBeGreaterThanOrEqual(seen);
        expect(mine!.lastSeenAt).toBeGreaterThan(mine!.createdAt);
      });

      it("keeps lastSeenAt at the first request of the minute: later ones are not written", async () => {
        const { laptop } = await laptopThenPhone(emu.get(), apps);
        await laptop.whoIsSignedIn(apps.a.url);
        const [first] = await laptop.sessions(apps.a.url);
        await new Promise((r) => setTimeout(r, 30));
        await laptop.whoIsSignedIn(apps.a.url);
        const [later] = await laptop.sessions(apps.a.url);
        expect(later!.lastSeenAt).toBe(first!.lastSeenAt);
      });
    });

    describe("with session.maxPerUser: 2 on A and B", () => {
      const apps = useInstances(() => emu.get(), {
        redisClient: () => topology.client(),
        options: { session: { maxPerUser: 2 } },
      });

      /** Three logins of one user: on A, on B, then on A again. */
      async function threeLogins(): Promise<RegistryBrowser[]> {
        const userId = newUserId();
        const browsers: RegistryBrowser[] = [];
        for (const [n, app] of [apps.a, apps.b, apps.a].entries()) {
          browsers.push(await new RegistryBrowser(emu.get(), userId, `Device/${n + 1}`).signIn(app.url));
          await new Promise((r) => setTimeout(r, 5));
        }
        return browsers;
      }

      it("a third login ends the oldest session: its cookie is anonymous on A and on B", async () => {
        const [oldest] = await threeLogins();
        expect(await anonymousOn(oldest!, apps.a, apps.b)).toEqual([true, true]);
      });

      it("a third login keeps the two newest sessions signed in and listed", async () => {
        const [, second, third] = await threeLogins();
        expect(await second!.whoIsSignedIn(apps.a.url)).toBe(second!.userId);
        expect(await third!.whoIsSignedIn(apps.b.url)).toBe(third!.userId);
        expect((await third!.sessions(apps.b.url)).map((s) => s.userAgent)).toEqual(["Device/2", "Device/3"]);
      });
    });
  });
}

describe("the session registry without the redis option", () => {
  const emu = useEmulator();
  const apps = useInstances(() => emu.get(), {});

  it("passes a KakaoAuthConfigError naming redis to the app's error handler when a route calls sessions()", async () => {
    const browser = await new RegistryBrowser(emu.get(), newUserId(), "Laptop/1.0").signIn(apps.a.url);
    const res = await browser.request(apps.a.url, "/sessions");
    expect(res.status).toBe(500);
    apps.a.serverErrors.splice(0);
    const [err] = apps.a.errors.splice(0);
    expect(err).toBeInstanceOf(apps.a.pkg.KakaoAuthConfigError);
    expect(err).toMatchObject({ code: "ERR_KAKAO_CONFIG", option: "redis", message: expect.stringContaining("redis") });
  });

  it("passes a KakaoAuthConfigError naming redis to the app's error handler when a route calls signOutOthers()", async () => {
    const browser = await new RegistryBrowser(emu.get(), newUserId(), "Laptop/1.0").signIn(apps.b.url);
    const res = await browser.request(apps.b.url, "/sign-out-others", { method: "POST" });
    expect(res.status).toBe(500);
    apps.b.serverErrors.splice(0);
    const [err] = apps.b.errors.splice(0);
    expect(err).toBeInstanceOf(apps.b.pkg.KakaoAuthConfigError);
    expect(err).toMatchObject({ option: "redis" });
  });

  it("kakaoAuth({ session: { maxPerUser } }) throws at construction, naming session.maxPerUser and redis", async () => {
    const pkg = await packageCopy();
    const build = () => pkg.kakaoAuth({ ...emu.get().options, secret: SECRET, session: { maxPerUser: 2 } });
    expect(build).toThrow(pkg.KakaoAuthConfigError);
    expect(build).toThrow(/option "session\.maxPerUser".*redis/);
  });
});

describe.runIf(redisAvailable())("the session registry with express-session, one MemoryStore behind A and B", () => {
  const emu = useEmulator();
  const topology = new StandaloneTopology();
  beforeAll(() => topology.start());
  afterAll(() => topology.stop());
  const apps = useInstances(() => emu.get(), {
    redisClient: () => topology.client(),
    expressSessionStore: () => new session.MemoryStore(),
  });

  it("lists the sessions of a user's logins on A and on B, current only for the one asking", async () => {
    const { laptop } = await laptopThenPhone(emu.get(), apps);
    expect(laptop.jar.get(EXPRESS_SESSION_COOKIE)).toBeDefined();
    const listed = await laptop.sessions(apps.b.url);
    expect(listed.map((s) => [s.userAgent, s.current])).toEqual([
      ["Laptop/1.0 (Macintosh)", true],
      ["Phone/2.0 (iPhone)", false],
    ]);
  });

  it("signOutOthers() ends the other session: its express-session cookie is anonymous on A and on B", async () => {
    const { laptop, phone } = await laptopThenPhone(emu.get(), apps);
    const res = await phone.request(apps.b.url, "/sign-out-others", { method: "POST" });
    expect(await res.json()).toEqual({ ended: 1 });
    expect(await anonymousOn(laptop, apps.a, apps.b)).toEqual([true, true]);
  });

  it("signOutOthers() keeps the session that asked, signed in on A and on B", async () => {
    const { phone } = await laptopThenPhone(emu.get(), apps);
    await phone.request(apps.b.url, "/sign-out-others", { method: "POST" });
    expect(await phone.whoIsSignedIn(apps.a.url)).toBe(phone.userId);
    expect(await phone.whoIsSignedIn(apps.b.url)).toBe(phone.userId);
  });
});

describe.runIf(redisAvailable())("the session registry while Redis is away (standalone redis-server)", () => {
  const emu = useEmulator();
  const topology = new StandaloneTopology();
  beforeAll(() => topology.start());
  afterAll(() => topology.stop());
  const apps = useInstances(() => emu.get(), { redisClient: () => topology.client() });

  /** Runs `during` with redis-server stopped, and starts it again however `during` ends. */
  async function whileStopped<T>(during: () => Promise<T>): Promise<T> {
    await topology.pause();
    try {
      return await during();
    } finally {
      await topology.resume();
    }
  }

  /** `GET /sessions` for `browser`: its status and how long the answer took. */
  async function timedSessions(browser: RegistryBrowser): Promise<{ status: number; ms: number }> {
    const started = Date.now();
    const res = await browser.request(apps.a.url, "/sessions");
    await res.arrayBuffer();
    return { status: res.status, ms: Date.now() - started };
  }

  it("keeps logins working on A and on B while Redis is stopped", async () => {
    const userId = newUserId();
    await whileStopped(async () => {
      const laptop = await new RegistryBrowser(emu.get(), userId, "Laptop/1.0").signIn(apps.a.url);
      const phone = await new RegistryBrowser(emu.get(), userId, "Phone/2.0").signIn(apps.b.url);
      expect(await laptop.whoIsSignedIn(apps.b.url)).toBe(userId);
      expect(await phone.whoIsSignedIn(apps.a.url)).toBe(userId);
    });
  });

  it("answers sessions() with 503 at once while Redis is stopped", async () => {
    const laptop = await new RegistryBrowser(emu.get(), newUserId(), "Laptop/1.0").signIn(apps.a.url);
    const answer = await whileStopped(() => timedSessions(laptop));
    const errors = apps.a.serverErrors.splice(0);
    // kakaoErrorHandler() answers the session store being down: nothing reaches the fallback handler.
    expect(answer.status).toBe(503);
    expect(errors).toHaveLength(0);
    expect(answer.ms).toBeLessThan(1_500);
  });

  it("answers sessions() with 503 within the 1 s Redis timeout while Redis hangs, last-seen writes pending", async () => {
    const browsers: RegistryBrowser[] = [];
    for (const device of ["Laptop/1.0", "Phone/2.0", "Tablet/3.0"]) {
      const browser = await new RegistryBrowser(emu.get(), newUserId(), device).signIn(apps.a.url);
      await browser.whoIsSignedIn(apps.a.url);
      browsers.push(browser);
    }
    const answer = await topology.whileFrozen(() => timedSessions(browsers[0]!));
    const errors = apps.a.serverErrors.splice(0);
    expect(answer.status).toBe(503);
    expect(errors).toHaveLength(0);
    expect(answer.ms).toBeLessThan(1_500);
  });

  it("lists the logins from before a restart of Redis and those after it", async () => {
    const userId = newUserId();
    const laptop = await new RegistryBrowser(emu.get(), userId, "Laptop/1.0").signIn(apps.a.url);
    await whileStopped(() => Promise.resolve());
    const phone = await new RegistryBrowser(emu.get(), userId, "Phone/2.0").signIn(apps.b.url);
    expect((await phone.sessions(apps.a.url)).map((s) => s.userAgent)).toEqual(["Laptop/1.0", "Phone/2.0"]);
    expect(await laptop.whoIsSignedIn(apps.b.url)).toBe(userId);
  });
});
