import { afterEach, describe, expect, it } from "vitest";
import { advanceClocks, formField, refreshRequests, restoreClocks } from "./support/clocks.js";
import { useEmulator } from "./support/emulator.js";
import { kakaoContextRoutes } from "./support/kakao-routes.js";
import type { LoginFlow } from "./support/login-flow.js";
import { expectNoServerErrorsAfterEach } from "./support/no-server-errors.js";
import { expectNoSession, setsSessionCookie, useApp, whoami } from "./support/security.js";
import { signInBrowser, signInNewUser } from "./support/sign-in-user.js";

/** Past the access token's expiry (21599 s) for both clocks. */
const AFTER_EXPIRY_S = 21_600;
const JSON_ACCEPT = { accept: "application/json" };

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

function post(
  flow: LoginFlow,
  path: string,
  body?: URLSearchParams,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${flow.appUrl}${path}`, {
    method: "POST",
    redirect: "manual",
    body,
    headers: { cookie: flow.jar.header(), ...JSON_ACCEPT, ...headers },
  });
}

describe("req.kakao tokens and Kakao API calls", () => {
  // Every refresh rotates the refresh token (as Kakao does in its last month), so a second
  // refresh with the old one would fail with KOE322.
  const emu = useEmulator({ refreshRotationThreshold: 100 * 86_400 });
  const app = useApp(() => emu.get(), { routes: kakaoContextRoutes });

  afterEach(() => {
    restoreClocks(emu.get());
    emu.get().clearFaults();
  });
  expectNoServerErrorsAfterEach();

  it("RT-01: twenty concurrent requests needing a refresh cause exactly one refresh at Kakao", async () => {
    const emulator = emu.get();
    const { flow, userId } = await signInNewUser(app.url, emulator);
    const before = refreshRequests(emulator).length;
    advanceClocks(emulator, AFTER_EXPIRY_S);
    const answers = await Promise.all(Array.from({ length: 20 }, () => flow.get("/kakao/token", JSON_ACCEPT)));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    const tokens = new Set(
      await Promise.all(answers.map(async (r) => (await json<{ accessToken: string }>(r)).accessToken)),
    );
    expect(tokens.size).toBe(1);
    expect(emulator.tokensOf(userId).accessTokens).toContain([...tokens][0]);
    expect(refreshRequests(emulator).length - before).toBe(1);
  });

  it("RT-02: the rotated refresh token is written back to the session cookie and used for the next refresh", async () => {
    const emulator = emu.get();
    const { flow, userId } = await signInNewUser(app.url, emulator);
    const [original] = emulator.tokensOf(userId).refreshTokens;
    advanceClocks(emulator, AFTER_EXPIRY_S);
    const first = await flow.get("/kakao/token", JSON_ACCEPT);
    expect(first.status).toBe(200);
    expect(setsSessionCookie(first)).toBe(true);
    flow.jar.take(first);
    const [rotated] = emulator.tokensOf(userId).refreshTokens;
    expect(rotated).toBeDefined();
    expect(rotated).not.toBe(original);

    advanceClocks(emulator, AFTER_EXPIRY_S);
    const second = await flow.get("/kakao/token", JSON_ACCEPT);
    expect(second.status).toBe(200);
    expect(formField(refreshRequests(emulator).at(-1)!, "refresh_token")).toBe(rotated);
  });

  it("RT-03: a dead refresh token (KOE322) ends the session and an API request is asked to sign in", async () => {
    const emulator = emu.get();
    const { flow } = await signInNewUser(app.url, emulator);
    advanceClocks(emulator, AFTER_EXPIRY_S);
    emulator.fail("refresh", { koe: "KOE322" });
    const res = await flow.get("/kakao/token", JSON_ACCEPT);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "unauthorized" });
    flow.jar.take(res);
    await expectNoSession(flow);
  });

  it("RT-03: a dead refresh token (KOE322) sends a page request to Kakao sign-in", async () => {
    const emulator = emu.get();
    const { flow } = await signInNewUser(app.url, emulator);
    advanceClocks(emulator, AFTER_EXPIRY_S);
    emulator.fail("refresh", { koe: "KOE322" });
    const res = await flow.get("/kakao/token", { accept: "text/html" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/auth/signin/kakao?returnTo=%2Fkakao%2Ftoken");
    flow.jar.take(res);
    expect(flow.hasSession()).toBe(false);
  });

  it("RT-04: an API call without consent rejects with KakaoApiError -402 naming the required scopes", async () => {
    const { flow } = await signInNewUser(app.url, emu.get());
    const res = await flow.get("/kakao/caught/talk", JSON_ACCEPT);
    expect(res.status).toBe(502);
    expect((await json<{ error: Record<string, unknown> }>(res)).error).toMatchObject({
      name: "KakaoApiError",
      kakaoCode: -402,
      kakaoStatus: 403,
      requiredScopes: ["talk_message"],
    });
  });

  it("RT-04: kakaoErrorHandler answers an API request's -402 with 403 insufficient_scope", async () => {
    const { flow } = await signInNewUser(app.url, emu.get());
    const res = await flow.get("/kakao/talk", JSON_ACCEPT);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: "insufficient_scope", required_scopes: ["talk_message"] });
  });

  it("RT-04: kakaoErrorHandler sends a page request's -402 to Kakao's additional consent", async () => {
    const { flow } = await signInNewUser(app.url, emu.get());
    const res = await flow.get("/kakao/talk", { accept: "text/html" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/auth/signin/kakao?returnTo=%2Fkakao%2Ftalk&scope=talk_message");
  });

  it("refreshes once and retries when Kakao answers an API call with -401", async () => {
    const emulator = emu.get();
    const { flow, userId } = await signInNewUser(app.url, emulator);
    const refreshesBefore = refreshRequests(emulator).length;
    const meBefore = emulator.requestsTo("/v2/user/me").length;
    emulator.fail("me", { kapiCode: -401 });
    const res = await flow.get("/kakao/me", JSON_ACCEPT);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: userId });
    expect(refreshRequests(emulator).length - refreshesBefore).toBe(1);
    expect(emulator.requestsTo("/v2/user/me").length - meBefore).toBe(2);
  });

  it("answers an API request with 401 when Kakao still says -401 after the refresh", async () => {
    const emulator = emu.get();
    const { flow } = await signInNewUser(app.url, emulator);
    emulator.fail("me", { kapiCode: -401, times: 2 });
    const res = await flow.get("/kakao/me", JSON_ACCEPT);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "unauthorized" });
  });

  it("keeps a user id past 2^53 exact in api() answers", async () => {
    const { flow } = await signInNewUser(app.url, emu.get(), { id: "1376016924429759228" });
    const res = await flow.get("/kakao/me", JSON_ACCEPT);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('"id":"1376016924429759228"');
  });

  it("lists the user's consent items with scopes()", async () => {
    const { flow, userId } = await signInNewUser(app.url, emu.get());
    const res = await flow.get("/kakao/scopes", JSON_ACCEPT);
    expect(res.status).toBe(200);
    const body = await json<{ id: string; scopes: Array<{ id: string; agreed: boolean }> }>(res);
    expect(body.id).toBe(userId);
    expect(body.scopes).toContainEqual(expect.objectContaining({ id: "profile_nickname", agreed: true }));
  });

  it("logout() expires the token at Kakao (/v1/user/logout) and ends the session", async () => {
    const emulator = emu.get();
    const { flow, userId } = await signInNewUser(app.url, emulator);
    const before = emulator.requestsTo("/v1/user/logout").length;
    const res = await post(flow, "/kakao/logout");
    expect(res.status).toBe(200);
    expect(emulator.requestsTo("/v1/user/logout").length - before).toBe(1);
    expect(emulator.tokensOf(userId).accessTokens).toEqual([]);
    flow.jar.take(res);
    await expectNoSession(flow);
  });

  it("POST /auth/signout with kakaoLogout=true logs the token out at Kakao", async () => {
    const emulator = emu.get();
    const { flow, userId } = await signInNewUser(app.url, emulator);
    const before = emulator.requestsTo("/v1/user/logout").length;
    const res = await post(flow, "/auth/signout", new URLSearchParams({ kakaoLogout: "true" }), {
      origin: app.url,
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ signedOut: true });
    expect(emulator.requestsTo("/v1/user/logout").length - before).toBe(1);
    expect(emulator.tokensOf(userId).accessTokens).toEqual([]);
    flow.jar.take(res);
    await expectNoSession(flow);
  });

  it("unlink() unlinks at Kakao (/v1/user/unlink) and the user's other sessions are refused", async () => {
    const emulator = emu.get();
    const { flow, userId } = await signInNewUser(app.url, emulator);
    const otherBrowser = await signInBrowser(app.url, userId);
    const before = emulator.requestsTo("/v1/user/unlink").length;
    const res = await post(flow, "/kakao/unlink");
    expect(res.status).toBe(200);
    expect(emulator.requestsTo("/v1/user/unlink").length - before).toBe(1);
    expect(emulator.users.get(userId)?.linked).toBe(false);
    expect(await whoami(otherBrowser)).toBeNull();
    flow.jar.take(res);
    await expectNoSession(flow);
  });
});

describe("req.kakao with a short timeout", () => {
  const emu = useEmulator();
  const app = useApp(() => emu.get(), { routes: kakaoContextRoutes, options: { timeout: 500 } });

  afterEach(() => emu.get().clearFaults());
  expectNoServerErrorsAfterEach();

  it("RT-05: a Kakao API that does not answer is abandoned after the timeout with a clean KakaoApiError", async () => {
    const { flow } = await signInNewUser(app.url, emu.get());
    emu.get().fail("me", { delayMs: 5_000 });
    const started = performance.now();
    const res = await flow.get("/kakao/caught/me", JSON_ACCEPT);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(504);
    expect((await json<{ error: Record<string, unknown> }>(res)).error).toMatchObject({
      name: "KakaoApiError",
      kakaoCode: 0,
      kakaoStatus: 0,
    });
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(2_000);
  });
});
