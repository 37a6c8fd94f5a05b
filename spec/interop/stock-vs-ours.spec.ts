import Kakao from "@auth/core/providers/kakao";
import { describe, expect, it } from "vitest";
import { kakaoProvider } from "../../lib/index.js";
import type { KakaoEmulator } from "../../lib/testing/index.js";
import { describeError, useAuthjsApp, type RunningAuthjsApp } from "../support/authjs-app.js";
import { AuthjsLogin } from "../support/authjs-login.js";
import { useEmulator } from "../support/emulator.js";

/** A Kakao id past 2^53 from Kakao's own docs (kakao-api.md §10.1), and what JSON.parse makes of it. */
const BIG_ID = "1376016924429759228";
const BIG_ID_ROUNDED = "1376016924429759200";
const UNVERIFIED = { id: "4000000077", nickname: "미인증", email: "unverified@example.com", isEmailVerified: false };

/**
 * The stock `@auth/core/providers/kakao`, pointed at the emulator the way its docs allow overriding
 * endpoints (`scope: ""` keeps the stock `?scope` of its authorize URL).
 */
function stockKakao(emu: KakaoEmulator) {
  return Kakao({
    clientId: emu.clientId,
    clientSecret: emu.clientSecret ?? undefined,
    authorization: { url: `${emu.url}/oauth/authorize`, params: { scope: "" } },
    token: `${emu.url}/oauth/token`,
    userinfo: `${emu.url}/v2/user/me`,
  });
}

/** One browser's Auth.js login at `app` as the emulator user `userId` (via `login_hint`). */
async function loginAt(
  app: RunningAuthjsApp,
  userId?: string,
): Promise<{ login: AuthjsLogin; landed: boolean; error: string }> {
  const login = new AuthjsLogin(app.url);
  const res = await login.run(userId ? { login_hint: userId } : {});
  return {
    login,
    landed: res.headers.get("location") === login.landing,
    error: app.probe.errors.map(describeError).join("\n"),
  };
}

async function sessionUser(login: AuthjsLogin): Promise<{ name?: string | null; email?: string | null }> {
  const res = await login.get("/session");
  return ((await res.json()) as { user: { name?: string | null; email?: string | null } }).user;
}

describe("the stock Auth.js Kakao provider beside kakaoProvider(), on the same emulator", () => {
  const emu = useEmulator({ users: [{ id: BIG_ID, nickname: "큰번호" }, UNVERIFIED] });
  const stock = useAuthjsApp(() => stockKakao(emu.get()));
  const ours = useAuthjsApp(() => kakaoProvider(emu.get().options));

  describe("a Kakao id past 2^53", () => {
    it("the stock provider rounds account.providerAccountId to 1376016924429759200", async () => {
      const { landed, error } = await loginAt(stock, BIG_ID);
      expect(landed, error).toBe(true);
      expect(stock.probe.signIns.at(-1)?.account?.providerAccountId).toBe(BIG_ID_ROUNDED);
    });

    it("kakaoProvider() keeps account.providerAccountId exact: 1376016924429759228", async () => {
      const { landed, error } = await loginAt(ours, BIG_ID);
      expect(landed, error).toBe(true);
      expect(ours.probe.signIns.at(-1)?.account?.providerAccountId).toBe(BIG_ID);
    });
  });

  describe("an email Kakao marks is_email_verified: false", () => {
    it("the stock provider puts it in the session", async () => {
      const { login, landed, error } = await loginAt(stock, UNVERIFIED.id);
      expect(landed, error).toBe(true);
      expect(await sessionUser(login)).toMatchObject({ name: "미인증", email: UNVERIFIED.email });
    });

    it("kakaoProvider() leaves it out of the user and the session", async () => {
      const { login, landed, error } = await loginAt(ours, UNVERIFIED.id);
      expect(landed, error).toBe(true);
      expect(ours.probe.signIns.at(-1)?.user.email ?? null).toBeNull();
      const user = await sessionUser(login);
      expect(user.name).toBe("미인증");
      expect(user.email ?? null).toBeNull();
    });
  });

  describe("state on the authorize request", () => {
    it("the stock provider sends none (PKCE only)", async () => {
      const login = new AuthjsLogin(stock.url);
      await login.start();
      expect(login.authorizeUrl?.searchParams.get("code_challenge_method")).toBe("S256");
      expect(login.authorizeUrl?.searchParams.has("state")).toBe(false);
    });

    it("kakaoProvider() sends state beside PKCE", async () => {
      const login = new AuthjsLogin(ours.url);
      await login.start();
      expect(login.authorizeUrl?.searchParams.get("code_challenge_method")).toBe("S256");
      expect(login.authorizeUrl?.searchParams.get("state")).toMatch(/^.{22,}$/);
    });
  });

  describe("OpenID Connect switched on in the Kakao console (every token answer carries an id_token)", () => {
    const oidcEmu = useEmulator({ oidc: true });
    const stockOnOidc = useAuthjsApp(() => stockKakao(oidcEmu.get()));
    const oursOnOidc = useAuthjsApp(() => kakaoProvider(oidcEmu.get().options));
    const oursWithOidc = useAuthjsApp(() => kakaoProvider({ ...oidcEmu.get().options, oidc: true }));

    it("the stock provider's login ends on the error page: the id_token's iss is checked against https://authjs.dev", async () => {
      const { login, landed, error } = await loginAt(stockOnOidc);
      expect(landed).toBe(false);
      expect([...login.jar.cookies.keys()].filter((name) => name.includes("session-token"))).toEqual([]);
      expect(error).toMatch(/"iss" \(issuer\) claim/);
    });

    it("kakaoProvider() ignores the id_token it did not ask for and signs the user in", async () => {
      const { landed, error } = await loginAt(oursOnOidc);
      expect(landed, error).toBe(true);
      expect(oursOnOidc.probe.signIns.at(-1)?.account?.id_token).toBeUndefined();
    });

    it("kakaoProvider({ oidc: true }) asks for openid with a nonce, verifies the id_token and signs the user in", async () => {
      const { login, landed, error } = await loginAt(oursWithOidc);
      expect(login.authorizeUrl?.searchParams.get("scope")).toBe("openid");
      expect(login.authorizeUrl?.searchParams.get("nonce")).toMatch(/^.{22,}$/);
      expect(landed, error).toBe(true);
      expect(oursWithOidc.probe.signIns.at(-1)?.account?.id_token).toEqual(expect.any(String));
    });

    it("kakaoProvider({ oidc: true }) refuses an id_token signed with a key outside Kakao's JWKS", async () => {
      oidcEmu.get().setIdTokenOverride((claims) => claims, { key: "unknown" });
      const { landed, error } = await loginAt(oursWithOidc);
      expect(landed).toBe(false);
      expect(error).toMatch(/id_token rejected/);
    });
  });
});
