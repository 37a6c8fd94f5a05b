import type express5 from "express";
import { afterEach, describe, expect, it } from "vitest";
import { requireFreshLogin } from "../../lib/index.js";
import { serverErrors } from "../support/app.js";
import { advanceClocks, restoreClocks } from "../support/clocks.js";
import { useEmulator } from "../support/emulator.js";
import {
  FRESH_LOGIN_COOKIE,
  followSignInRedirect,
  kakaoUserOf,
  loginInSameBrowser,
  nowSeconds,
  passedWithAuthTime,
} from "../support/fresh-login.js";
import { expectGuardAnswer, send, type GuardAnswer } from "../support/guard-requests.js";
import { LoginFlow } from "../support/login-flow.js";
import { useApp } from "../support/security.js";
import { newKakaoUser, signInBrowser } from "../support/sign-in-user.js";

const FRESH = "/fresh";
/** What requireFreshLogin answers a login that is not fresh: sign in again with prompt=login. */
const STALE: GuardAnswer = { kind: "sign-in", prompt: "login" };
const PASS: GuardAnswer = { kind: "pass" };
/** An authTime within this many seconds of the test's clock counts as "now". */
const NOW_TOLERANCE_S = 5;

function freshRoute(app: express5.Express): void {
  app.all(FRESH, requireFreshLogin(300), passedWithAuthTime);
}

/** The guard's answer to this browser's JSON request. */
function jsonGet(flow: LoginFlow): Promise<Response> {
  return send(flow.appUrl, "json-get", FRESH, flow.jar.header());
}

/** The guard's answer to this browser's page load. */
function htmlGet(flow: LoginFlow): Promise<Response> {
  return send(flow.appUrl, "html-get", FRESH, flow.jar.header());
}

afterEach(() => {
  expect(serverErrors.splice(0), "the fallback error handler answered a 5xx").toEqual([]);
});

describe("requireFreshLogin(300) without OIDC", () => {
  const emu = useEmulator();
  const app = useApp(() => emu.get(), { routes: freshRoute });

  afterEach(() => restoreClocks(emu.get()));

  /** A new user, signed in by a plain login (no prompt). */
  async function plainLogin(): Promise<LoginFlow> {
    return signInBrowser(app.url, newKakaoUser(emu.get()).id);
  }

  /** A new user who has used the app before, signed in silently with prompt=none. */
  async function silentLogin(): Promise<LoginFlow> {
    const { id } = newKakaoUser(emu.get(), { linked: true });
    const flow = new LoginFlow(app.url);
    const res = await flow.run({ prompt: "none", login_hint: id });
    if (res.status !== 302 || !flow.hasSession()) throw new Error(`silent login of ${id} failed: ${res.status}`);
    return flow;
  }

  describe("after a plain login", () => {
    it("answers a JSON request with 401 login_required", async () => {
      const flow = await plainLogin();
      await expectGuardAnswer(await jsonGet(flow), "json-get", FRESH, STALE);
    });

    it("sends a page to sign-in with prompt=login", async () => {
      const flow = await plainLogin();
      await expectGuardAnswer(await htmlGet(flow), "html-get", FRESH, STALE);
    });

    it("sets req.kakaoUser.authTime to 0", async () => {
      const flow = await plainLogin();
      expect(await kakaoUserOf(flow)).toMatchObject({ authTime: 0 });
    });
  });

  describe("after a silent prompt=none login", () => {
    it("answers a JSON request with 401 login_required", async () => {
      const flow = await silentLogin();
      await expectGuardAnswer(await jsonGet(flow), "json-get", FRESH, STALE);
    });

    it("sends a page to sign-in with prompt=login", async () => {
      const flow = await silentLogin();
      await expectGuardAnswer(await htmlGet(flow), "html-get", FRESH, STALE);
    });

    it("sets req.kakaoUser.authTime to 0", async () => {
      const flow = await silentLogin();
      expect(await kakaoUserOf(flow)).toMatchObject({ authTime: 0 });
    });
  });

  describe("after following the guard's own redirect", () => {
    /** Plain login, refused by the guard, then the guard's prompt=login redirect followed. */
    async function reauthenticated(): Promise<LoginFlow> {
      const { id } = newKakaoUser(emu.get());
      const flow = await signInBrowser(app.url, id);
      await followSignInRedirect(flow, await htmlGet(flow), id);
      return flow;
    }

    it("passes a JSON request", async () => {
      const flow = await reauthenticated();
      await expectGuardAnswer(await jsonGet(flow), "json-get", FRESH, PASS);
    });

    it("passes a page load", async () => {
      const flow = await reauthenticated();
      await expectGuardAnswer(await htmlGet(flow), "html-get", FRESH, PASS);
    });

    it("sets req.kakaoUser.authTime to the time of that login, in seconds", async () => {
      const flow = await reauthenticated();
      const authTime = (await kakaoUserOf(flow))?.authTime ?? 0;
      expect(Math.abs(authTime - nowSeconds())).toBeLessThanOrEqual(NOW_TOLERANCE_S);
    });
  });

  describe("the fresh-login mark", () => {
    it("is a cookie set when sign-in starts with prompt=login", async () => {
      const flow = new LoginFlow(app.url);
      await flow.start({ prompt: "login", login_hint: newKakaoUser(emu.get()).id });
      expect(flow.jar.get(FRESH_LOGIN_COOKIE)).toBeTruthy();
    });

    it("copied from a prompt=login attempt into an attempt started without it does not make that login fresh", async () => {
      const { id } = newKakaoUser(emu.get());
      const donor = new LoginFlow(app.url);
      await donor.start({ prompt: "login", login_hint: id });
      const mark = donor.jar.get(FRESH_LOGIN_COOKIE);
      expect(mark, "the prompt=login attempt set no fresh-login cookie").toBeTruthy();

      const flow = new LoginFlow(app.url);
      await flow.start({ login_hint: id });
      flow.jar.set(FRESH_LOGIN_COOKIE, mark!);
      await flow.authorize();
      await flow.callback();

      await expectGuardAnswer(await jsonGet(flow), "json-get", FRESH, STALE);
      expect(await kakaoUserOf(flow)).toMatchObject({ id, authTime: 0 });
    });

    it("forged (kakao-auth.fresh-login=anything) does not make a plain login fresh", async () => {
      const { id } = newKakaoUser(emu.get());
      const flow = new LoginFlow(app.url);
      await flow.start({ login_hint: id });
      flow.jar.set(FRESH_LOGIN_COOKIE, "anything");
      await flow.authorize();
      await flow.callback();

      await expectGuardAnswer(await jsonGet(flow), "json-get", FRESH, STALE);
      expect(await kakaoUserOf(flow)).toMatchObject({ id, authTime: 0 });
    });
  });

  describe("a later plain re-login of the same user", () => {
    it("keeps the earlier fresh authTime instead of resetting it to now", async () => {
      const { id } = newKakaoUser(emu.get());
      const flow = new LoginFlow(app.url);
      await loginInSameBrowser(flow, { prompt: "login", login_hint: id });
      const freshAt = (await kakaoUserOf(flow))?.authTime ?? 0;
      expect(Math.abs(freshAt - nowSeconds())).toBeLessThanOrEqual(NOW_TOLERANCE_S);

      advanceClocks(emu.get(), 120);
      await loginInSameBrowser(flow, { login_hint: id });
      expect((await kakaoUserOf(flow))?.authTime).toBe(freshAt);
    });

    it("still passes the guard while the earlier fresh login is within the limit", async () => {
      const { id } = newKakaoUser(emu.get());
      const flow = new LoginFlow(app.url);
      await loginInSameBrowser(flow, { prompt: "login", login_hint: id });
      advanceClocks(emu.get(), 120);
      await loginInSameBrowser(flow, { login_hint: id });
      await expectGuardAnswer(await jsonGet(flow), "json-get", FRESH, PASS);
    });

    it("is refused by the guard once the earlier fresh login is older than the limit", async () => {
      const { id } = newKakaoUser(emu.get());
      const flow = new LoginFlow(app.url);
      await loginInSameBrowser(flow, { prompt: "login", login_hint: id });
      advanceClocks(emu.get(), 301);
      await loginInSameBrowser(flow, { login_hint: id });
      await expectGuardAnswer(await jsonGet(flow), "json-get", FRESH, STALE);
    });
  });
});

describe("requireFreshLogin(300) with OIDC", () => {
  const emu = useEmulator({ oidc: true });
  const app = useApp(() => emu.get(), { routes: freshRoute, options: { oidc: true } });

  afterEach(() => emu.get().clock.set(Date.now()));

  it("takes authTime from the id_token's auth_time, not from the time of the callback", async () => {
    const emulator = emu.get();
    emulator.clock.advance(-60); // Kakao's clock a minute behind: auth_time differs from the app's now
    const authenticatedAt = Math.floor(emulator.clock.now() / 1000);
    const flow = await signInBrowser(app.url, newKakaoUser(emulator).id);
    const authTime = (await kakaoUserOf(flow))?.authTime ?? 0;
    expect(authTime).toBeGreaterThanOrEqual(authenticatedAt);
    expect(authTime - authenticatedAt).toBeLessThanOrEqual(NOW_TOLERANCE_S);
    expect(nowSeconds() - authTime).toBeGreaterThanOrEqual(60 - NOW_TOLERANCE_S);
  });

  it("passes a plain OIDC login right after the user authenticated at Kakao", async () => {
    const flow = await signInBrowser(app.url, newKakaoUser(emu.get()).id);
    await expectGuardAnswer(await jsonGet(flow), "json-get", FRESH, PASS);
  });
});
