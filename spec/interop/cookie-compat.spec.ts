import type { Session } from "@auth/core/types";
import { getSession, type ExpressAuthConfig } from "@auth/express";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kakaoProvider } from "../../lib/index.js";
import { signInAs } from "../../lib/testing/index.js";
import { buildApp, SECRET } from "../support/app.js";
import { buildAuthjsApp } from "../support/authjs-app.js";
import { AuthjsLogin } from "../support/authjs-login.js";
import { useEmulator } from "../support/emulator.js";
import { listen, type Listening } from "../support/server.js";

const BIG_ID = "1376016924429759228";
const USER = { id: BIG_ID, nickname: "큰번호", email: "big@example.com" };

describe("session cookies shared between kakaoAuth() and @auth/express", () => {
  const emu = useEmulator();
  let kakaoApp: Listening;
  let authjsApp: Listening;
  let sessionCookie: string;

  beforeAll(async () => {
    const app = buildApp({ emulator: emu.get() });
    kakaoApp = await listen(app);
    sessionCookie = await signInAs(app, USER);

    // Another app sharing AUTH_SECRET that only reads sessions, the @auth/express way.
    const config: ExpressAuthConfig = {
      providers: [kakaoProvider(emu.get().options)],
      secret: SECRET,
      trustHost: true,
      // The foreign-secret spec makes Auth.js log a JWTSessionError; the answer (null) is what counts.
      logger: { error: () => undefined },
      callbacks: {
        // Auth.js keeps the provider's id in token.sub only when the app put it there: kakaoAuth() does.
        session: ({ session, token }) => ({ ...session, user: { ...session.user, id: token.sub ?? "" } }),
      },
    };
    const reader = express();
    reader.get("/session", async (req, res, next) => {
      try {
        res.json(await getSession(req, config));
      } catch (err) {
        next(err);
      }
    });
    authjsApp = await listen(reader);
  });
  afterAll(async () => Promise.all([kakaoApp.close(), authjsApp.close()]));

  async function readWithGetSession(cookie: string): Promise<Session | null> {
    const res = await fetch(`${authjsApp.url}/session`, { headers: { cookie } });
    expect(res.status).toBe(200);
    return (await res.json()) as Session | null;
  }

  it("lets getSession() read the user's name and email from a cookie kakaoAuth() wrote", async () => {
    const session = await readWithGetSession(sessionCookie);
    expect(session?.user).toMatchObject({ name: "큰번호", email: "big@example.com" });
  });

  it("gives Auth.js's session callback the exact Kakao id as token.sub", async () => {
    const session = await readWithGetSession(sessionCookie);
    expect(session?.user?.id).toBe(BIG_ID);
  });

  it("lets getSession() answer null for a cookie encrypted with another secret", async () => {
    const other = buildApp({ emulator: emu.get(), options: { secret: "another-secret-0123456789-abcdefghijkl" } });
    expect(await readWithGetSession(await signInAs(other, USER))).toBeNull();
  });

  it("does not take a cookie ExpressAuth wrote as a kakaoAuth() session (it lacks the Kakao session claims)", async () => {
    const built = buildAuthjsApp(kakaoProvider(emu.get().options));
    const app = await listen(built.app);
    try {
      const login = new AuthjsLogin(app.url);
      expect((await login.run({ login_hint: BIG_ID })).headers.get("location")).toBe(login.landing);
      const cookie = `authjs.session-token=${login.jar.get("authjs.session-token")}`;
      const res = await fetch(`${kakaoApp.url}/whoami`, { headers: { cookie, accept: "application/json" } });
      expect(await res.json()).toEqual({ user: null, authenticated: false });
    } finally {
      await app.close();
    }
  });
});
