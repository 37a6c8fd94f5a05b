import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import express5 from "express";
import express4 from "express4";
import session from "express-session";
import request from "supertest";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { kakaoAuth, requireFreshLogin, requireKakaoUser, type KakaoAuthOptions } from "../../lib/index.js";
import { signInAs, startKakaoEmulator, type KakaoEmulator } from "../../lib/testing/index.js";
import { EXPRESS_MAJORS, SECRET, type ExpressMajor } from "../support/app.js";

/** A kakaoAuth() app as production configures it: the real Kakao hosts, no emulator anywhere. */
const REAL_KAKAO: KakaoAuthOptions = {
  clientId: "real-rest-api-key",
  clientSecret: "real-client-secret",
  secret: SECRET,
  authOrigin: "https://kauth.kakao.com",
  apiOrigin: "https://kapi.kakao.com",
};

const RYAN = { id: "1376016924429759228", nickname: "라이언", email: "ryan@example.com" };

interface AppSpec {
  express?: ExpressMajor;
  options?: KakaoAuthOptions;
  /** Mount express-session before kakaoAuth() and use it as the store. */
  expressSession?: boolean;
  /** Mount kakaoAuth() and the routes under this path. */
  mount?: string;
}

/** `/me` guarded, `/fresh` behind requireFreshLogin(300), `/whoami` unguarded; all under `mount`. */
function app({ express = 5, options = REAL_KAKAO, expressSession = false, mount = "" }: AppSpec = {}) {
  const create = (express === 4 ? express4 : express5) as unknown as typeof express5;
  const built = create();
  if (expressSession) built.use(session({ secret: SECRET, resave: false, saveUninitialized: false }));
  const store = expressSession ? { session: { store: "express-session" as const } } : {};
  built.use(mount || "/", kakaoAuth({ ...options, ...store }));
  built.get(`${mount}/me`, requireKakaoUser(), (req, res) => res.json(req.kakaoUser));
  built.get(`${mount}/fresh`, requireFreshLogin(300), (_req, res) => res.json({ fresh: true }));
  built.get(`${mount}/whoami`, (req, res) => res.json({ user: req.kakaoUser ?? null }));
  return built;
}

afterEach(() => vi.unstubAllEnvs());

/** Every URL fetched while `run` runs (signInAs's own requests to the app included). */
async function fetchedDuring(run: () => Promise<unknown>): Promise<string[]> {
  const real = globalThis.fetch;
  const urls: string[] = [];
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
    urls.push(input instanceof Request ? input.url : String(input));
    return real(input, init);
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return urls;
}

describe.each(EXPRESS_MAJORS)("signInAs on an app configured for the real Kakao (Express %i)", (major) => {
  it("gives a cookie with which a guarded /me answers 200 with the user's id, nickname and verified email", async () => {
    const built = app({ express: major });
    const cookie = await signInAs(built, RYAN);
    const res = await request(built).get("/me").set("Cookie", cookie).expect(200);
    expect(res.body).toMatchObject({ id: RYAN.id, nickname: RYAN.nickname, email: RYAN.email, emailVerified: true });
  });

  it("works for an app configured only from the environment", async () => {
    vi.stubEnv("AUTH_KAKAO_ID", "env-rest-api-key");
    vi.stubEnv("AUTH_KAKAO_SECRET", "env-client-secret");
    vi.stubEnv("AUTH_SECRET", SECRET);
    vi.stubEnv("KAKAO_AUTH_ORIGIN", undefined);
    vi.stubEnv("KAKAO_API_ORIGIN", undefined);
    const built = app({ express: major, options: {} });
    const res = await request(built)
      .get("/me")
      .set("Cookie", await signInAs(built, RYAN))
      .expect(200);
    expect(res.body.id).toBe(RYAN.id);
  });

  it("sends no request anywhere but the app on 127.0.0.1", async () => {
    const built = app({ express: major });
    const urls = await fetchedDuring(() => signInAs(built, RYAN));
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  });

  it("shows on req.kakaoUser what the profile option returns", async () => {
    const built = app({
      express: major,
      options: {
        ...REAL_KAKAO,
        profile: (profile, _tokens, defaults) => ({ ...defaults, nickname: `${defaults.nickname}님 (${profile.id})` }),
      },
    });
    const res = await request(built)
      .get("/me")
      .set("Cookie", await signInAs(built, RYAN))
      .expect(200);
    expect(res.body.nickname).toBe(`라이언님 (${RYAN.id})`);
  });

  it("rejects, naming onSignIn, when onSignIn returns false", async () => {
    const built = app({ express: major, options: { ...REAL_KAKAO, onSignIn: () => false } });
    await expect(signInAs(built, RYAN)).rejects.toThrow(/onSignIn returned false/);
  });

  it("hands onSignIn the user it signs in", async () => {
    const seen: string[] = [];
    const onSignIn = ({ user }: { user: { id: string } }) => void seen.push(user.id);
    await signInAs(app({ express: major, options: { ...REAL_KAKAO, onSignIn } }), RYAN);
    expect(seen).toEqual([RYAN.id]);
  });

  it("with freshLogin: true, passes requireFreshLogin", async () => {
    const built = app({ express: major });
    const cookie = await signInAs(built, RYAN, { freshLogin: true });
    await request(built).get("/fresh").set("Cookie", cookie).expect(200, { fresh: true });
  });

  it("by default, is refused by requireFreshLogin (the login time is not known)", async () => {
    const built = app({ express: major });
    const cookie = await signInAs(built, RYAN);
    await request(built).get("/fresh").set("Cookie", cookie).expect(401);
  });

  it("works with express-session as the store: the cookie is connect.sid", async () => {
    const built = app({ express: major, expressSession: true });
    const cookie = await signInAs(built, RYAN);
    expect(cookie).toMatch(/^connect\.sid=/);
    expect(cookie).not.toMatch(/authjs\.session-token/);
    const res = await request(built).get("/me").set("Cookie", cookie).expect(200);
    expect(res.body).toMatchObject({ id: RYAN.id, email: RYAN.email });
  });

  it('works for kakaoAuth() mounted under "/api" with { path: "/api" }', async () => {
    const built = app({ express: major, mount: "/api" });
    const cookie = await signInAs(built, RYAN, { path: "/api" });
    await request(built).get("/api/me").set("Cookie", cookie).expect(200);
  });

  it('rejects for kakaoAuth() mounted under "/api" without { path }, naming the option', async () => {
    await expect(signInAs(app({ express: major, mount: "/api" }), RYAN)).rejects.toThrow(/\{ path \}/);
  });

  it("accepts an http.Server serving the app", async () => {
    const built = app({ express: major });
    const cookie = await signInAs(createServer(built), RYAN);
    await request(built).get("/me").set("Cookie", cookie).expect(200);
  });

  it("rejects for an app without kakaoAuth(), naming kakaoAuth()", async () => {
    const bare = (major === 4 ? express4 : express5)();
    await expect(signInAs(bare as never, RYAN)).rejects.toThrow(/kakaoAuth\(\)/);
  });
});

describe("a request carrying the sign-in-as header with an unknown ticket", () => {
  const header = "x-express-kakao-auth-sign-in-as";

  it("is answered by the app's route with nobody signed in", async () => {
    await request(app()).get("/whoami").set(header, randomUUID()).expect(200, { user: null });
  });

  it("keeps the session its cookie carries", async () => {
    const built = app();
    const cookie = await signInAs(built, RYAN);
    const res = await request(built).get("/whoami").set(header, randomUUID()).set("Cookie", cookie).expect(200);
    expect(res.body.user.id).toBe(RYAN.id);
  });

  it("reaches kakaoAuth()'s own routes: GET /auth/signin/kakao still redirects to Kakao", async () => {
    const res = await request(app()).get("/auth/signin/kakao").set(header, randomUUID()).expect(302);
    expect(res.headers.location).toMatch(/\/oauth\/authorize\?/);
  });

  it("signs nobody in (no session cookie is set)", async () => {
    const res = await request(app()).get("/").set(header, randomUUID());
    expect(res.headers["set-cookie"] ?? []).toEqual([]);
  });
});

describe("signInAs with an emulator started in this process", () => {
  let emulator: KakaoEmulator;
  beforeAll(async () => {
    emulator = await startKakaoEmulator();
  });
  afterAll(() => emulator.close());

  const emulated = (options: KakaoAuthOptions = {}) =>
    app({ options: { ...emulator.options, secret: SECRET, ...options } });

  it("logs in through the app's real routes against it (one code exchange)", async () => {
    const before = emulator.requestsTo("/oauth/token").length;
    const built = emulated();
    const res = await request(built)
      .get("/me")
      .set("Cookie", await signInAs(built, RYAN))
      .expect(200);
    expect(res.body).toMatchObject({ id: RYAN.id, nickname: RYAN.nickname });
    expect(emulator.requestsTo("/oauth/token").length).toBe(before + 1);
  });

  it("gives a session with Kakao tokens, so req.kakao.accessToken() answers", async () => {
    const built = emulated();
    built.get("/token", async (req, res) => void res.json({ token: typeof (await req.kakao.accessToken()) }));
    await request(built)
      .get("/token")
      .set("Cookie", await signInAs(built, RYAN))
      .expect(200, { token: "string" });
  });

  it("rejects, naming onSignIn, when onSignIn returns false", async () => {
    await expect(signInAs(emulated({ onSignIn: () => false }), RYAN)).rejects.toThrow(/onSignIn returned false/);
  });
});

describe("startKakaoEmulator", () => {
  it("does not keep the process alive when a test never closes it", async () => {
    const fixture = fileURLToPath(new URL("../fixtures/emulator-left-open.mjs", import.meta.url));
    if (!existsSync(fileURLToPath(new URL("../../dist/testing/index.js", import.meta.url))))
      throw new Error("dist/ is missing: run `npm run build` (npm test does it first)");
    const started = Date.now();
    const child = spawn(process.execPath, [fixture], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    clearTimeout(killer);
    expect({ code, signedIn: out.includes('"signedIn":true') }).toEqual({ code: 0, signedIn: true });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
