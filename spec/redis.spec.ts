import { RedisStore } from "connect-redis";
import express5 from "express";
import express4 from "express4";
import session from "express-session";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kakaoAuth, kakaoErrorHandler, redisRevocationStore, requireKakaoUser } from "../lib/index.js";
import { signInAs, type KakaoEmulator } from "../lib/testing/index.js";
import { SECRET } from "./support/app.js";
import { useEmulator } from "./support/emulator.js";
import { redisAvailable, redisClient, RedisServer } from "./support/redis.js";
import { listen, type Listening } from "./support/server.js";

type Client = Awaited<ReturnType<typeof redisClient>>;

/** One app instance: express-session on the shared Redis, then kakaoAuth in express-session mode. */
function instance(major: 4 | 5, emulator: KakaoEmulator, client: Client) {
  const create = (major === 4 ? express4 : express5) as unknown as typeof express5;
  const app = create();
  app.use(
    session({
      store: new RedisStore({ client, prefix: "eka-spec:" }),
      secret: SECRET,
      resave: false,
      saveUninitialized: false,
      name: "connect.sid",
    }),
  );
  app.use(kakaoAuth({ ...emulator.options, secret: SECRET, session: { store: "express-session" } }));
  app.get("/visit", (req, res) => {
    (req.session as unknown as { visited: boolean }).visited = true;
    res.send("ok");
  });
  app.get("/me", requireKakaoUser(), (req, res) => res.json(req.kakaoUser));
  app.use(kakaoErrorHandler());
  app.use((err: Error, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
    res.status(500).json({ error: "server_error", message: err.message });
  });
  return app;
}

const sid = (cookie: string): string | undefined => /connect\.sid=([^;]+)/.exec(cookie)?.[1];

describe.runIf(redisAvailable())("express-session on Redis, two instances", () => {
  const emu = useEmulator();
  const redis = new RedisServer();
  let clientA: Client;
  let clientB: Client;
  let a: Listening;
  let b: Listening;

  beforeAll(async () => {
    await redis.start();
    clientA = await redisClient(redis.url);
    clientB = await redisClient(redis.url);
    a = await listen(instance(5, emu.get(), clientA));
    b = await listen(instance(4, emu.get(), clientB));
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await clientA?.quit().catch(() => undefined);
    await clientB?.quit().catch(() => undefined);
    await redis.destroy();
  });

  const get = (app: Listening, path: string, cookie: string, accept = "application/json") =>
    fetch(`${app.url}${path}`, { headers: { cookie, accept }, redirect: "manual" });

  it("serves a user signed in on instance A from instance B", async () => {
    const cookie = await signInAs(a.server.listeners("request")[0] as never, { id: "5000000001", nickname: "둘" });
    expect(sid(cookie)).toBeDefined();
    const res = await get(b, "/me", cookie);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: "5000000001", nickname: "둘" });
  });

  it("refuses on instance A a session signed out on instance B", async () => {
    const cookie = await signInAs(a.server.listeners("request")[0] as never, { id: "5000000002" });
    const out = await fetch(`${b.url}/auth/signout`, { method: "POST", headers: { cookie, origin: b.url } });
    expect(out.status).toBe(200);
    expect((await get(a, "/me", cookie)).status).toBe(401);
  });

  it("SES-05: regenerates the session id at login", async () => {
    const before = await fetch(`${a.url}/visit`);
    const anonymousCookie = before.headers.getSetCookie()[0]!.split(";")[0]!;
    const after = await signInAs(a.server.listeners("request")[0] as never, { id: "5000000003" });
    expect(sid(after)).toBeDefined();
    expect(sid(after)).not.toBe(sid(anonymousCookie));
  });

  it("SES-06: an old session id is refused after sign-out", async () => {
    const cookie = await signInAs(a.server.listeners("request")[0] as never, { id: "5000000004" });
    await fetch(`${a.url}/auth/signout`, { method: "POST", headers: { cookie, origin: a.url } });
    const stored = await clientA.keys("eka-spec:*");
    expect(stored.some((k) => k.endsWith(decodeURIComponent(sid(cookie)!).slice(2).split(".")[0]!))).toBe(false);
    expect((await get(a, "/me", cookie)).status).toBe(401);
  });

  it("keeps the user and its sealed tokens in req.session under one key, with no Auth.js session cookie", async () => {
    const cookie = await signInAs(a.server.listeners("request")[0] as never, { id: "5000000005" });
    expect(cookie).not.toContain("authjs.session-token");
    const keys = await clientA.keys("eka-spec:*");
    const values = await Promise.all(keys.map((k) => clientA.get(k)));
    const mine = values
      .map(
        (v) => JSON.parse(v ?? "{}") as { kakao?: { user: { id: string }; tokens?: unknown; sealedTokens?: string } },
      )
      .find((v) => v.kakao?.user.id === "5000000005");
    // Kakao's tokens are encrypted with the app secret: Redis (and req.session) never holds them in clear.
    expect(mine?.kakao?.tokens).toBeUndefined();
    expect(mine?.kakao?.sealedTokens).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const { accessTokens, refreshTokens } = emu.get().tokensOf("5000000005");
    for (const token of [...accessTokens, ...refreshTokens]) expect(JSON.stringify(values)).not.toContain(token);
  });

  it("SES-14: answers 503 on a protected route while Redis is down, and recovers when it returns", async () => {
    const cookie = await signInAs(a.server.listeners("request")[0] as never, { id: "5000000006" });
    await redis.stop();
    const down = await get(a, "/me", cookie);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ error: "session_store_unavailable" });
    const page = await get(a, "/me", cookie, "text/html");
    expect(page.status).toBe(503);
    await redis.start();
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await get(a, "/me", cookie)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
  });

  it("shares revocations through the Redis revocation store", async () => {
    const store = redisRevocationStore(clientA, { key: "eka-spec:revocations" });
    const at = Date.now();
    await store.revoke("5000000007", at);
    await store.revoke("5000000007", at - 1000);
    expect(await store.changesSince(at - 10)).toEqual([["5000000007", at]]);
    expect(await store.changesSince(at + 1)).toEqual([]);
  });
});

describe("express-session mode without express-session", () => {
  const emu = useEmulator();

  it("fails the first request with a KakaoAuthConfigError saying what to mount", async () => {
    const app = express5();
    app.use(kakaoAuth({ ...emu.get().options, secret: SECRET, session: { store: "express-session" } }));
    app.get("/", (_req, res) => res.send("ok"));
    let message = "";
    app.use((err: Error, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
      message = `${err.name}: ${err.message}`;
      res.status(500).end();
    });
    const srv = await listen(app);
    await fetch(`${srv.url}/`);
    await srv.close();
    expect(message).toMatch(/^KakaoAuthConfigError: .*Mount express-session before kakaoAuth\(\)/);
  });
});
