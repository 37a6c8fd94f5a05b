import { afterEach, describe, expect, it } from "vitest";
import { SECRET } from "./support/app.js";
import { advanceClocks, restoreClocks } from "./support/clocks.js";
import { captureDebugLogs } from "./support/debug-capture.js";
import { useEmulator } from "./support/emulator.js";
import { kakaoContextRoutes } from "./support/kakao-routes.js";
import { LoginFlow } from "./support/login-flow.js";
import { expectNoServerErrorsAfterEach } from "./support/no-server-errors.js";
import { expectCleanError, secretsOf, useApp } from "./support/security.js";
import { signInNewUser } from "./support/sign-in-user.js";

const ADMIN_KEY = "log-admin-key-0123456789abcdef0123456789";
const JSON_ACCEPT = { accept: "application/json" };
const STACK_TRACE = /\n\s+at\s|node:internal|node_modules|\.[cm]?[jt]s:\d+/;

/** Every value of a browser's cookies (state, PKCE verifier, nonce, CSRF, session token). */
function cookieValues(flow: LoginFlow): string[] {
  return [...flow.jar.cookies.values()].filter((v) => v.length >= 16);
}

function tokensOf(
  emulator: { tokensOf(id: string): { accessTokens: string[]; refreshTokens: string[] } },
  userId: string,
): string[] {
  const { accessTokens, refreshTokens } = emulator.tokensOf(userId);
  return [...accessTokens, ...refreshTokens];
}

describe("LOG-01: debug output (DEBUG=express-kakao-auth:*)", () => {
  const logs = captureDebugLogs();
  const emu = useEmulator({ adminKey: ADMIN_KEY, refreshRotationThreshold: 100 * 86_400 });
  const app = useApp(() => emu.get(), { routes: kakaoContextRoutes, options: { adminKey: ADMIN_KEY } });

  afterEach(() => {
    restoreClocks(emu.get());
    emu.get().clearFaults();
  });
  expectNoServerErrorsAfterEach();

  function expectNotLogged(values: Array<string | null | undefined>): void {
    const text = logs.text();
    for (const value of values) if (value) expect(text, "a sensitive value reached the logs").not.toContain(value);
  }

  it("LOG-01: a login logs neither the code, the state, the tokens nor the cookies", async () => {
    const { flow, userId } = await signInNewUser(app.url, emu.get());
    expect(logs.text()).toContain(`signed in Kakao user ${userId}`);
    const code = flow.callbackUrl?.searchParams.get("code");
    expect(code).toBeTruthy();
    expectNotLogged([
      code,
      flow.callbackUrl?.searchParams.get("state"),
      flow.authorizeUrl?.searchParams.get("code_challenge"),
      ...tokensOf(emu.get(), userId),
      ...cookieValues(flow),
    ]);
  });

  it("LOG-01: a token refresh logs neither the old nor the new tokens", async () => {
    const emulator = emu.get();
    const { flow, userId } = await signInNewUser(app.url, emulator);
    const before = tokensOf(emulator, userId);
    advanceClocks(emulator, 21_600);
    const res = await flow.get("/kakao/token", JSON_ACCEPT);
    expect(res.status).toBe(200);
    flow.jar.take(res);
    expect(logs.text()).toContain("refreshed access token (refresh token rotated)");
    expectNotLogged([...before, ...tokensOf(emulator, userId), ...cookieValues(flow)]);
  });

  it("LOG-01: a replayed authorization code (KOE320) is logged without the code", async () => {
    const flow = new LoginFlow(app.url);
    await flow.start();
    await flow.authorize();
    const replay = flow.jar.clone();
    await flow.callback();
    const again = new LoginFlow(app.url, replay);
    const res = await again.callback(flow.callbackUrl);
    expect(res.headers.get("location")).toBe("/auth/error?error=KOE320");
    expect(logs.text()).toContain("KOE320");
    expectNotLogged([flow.callbackUrl?.searchParams.get("code"), ...cookieValues(flow), ...cookieValues(again)]);
  });

  it("LOG-01: a dead refresh token (KOE322) is logged without the tokens", async () => {
    const emulator = emu.get();
    const { flow, userId } = await signInNewUser(app.url, emulator);
    const tokens = tokensOf(emulator, userId);
    advanceClocks(emulator, 21_600);
    emulator.fail("refresh", { koe: "KOE322" });
    const res = await flow.get("/kakao/token", JSON_ACCEPT);
    expect(res.status).toBe(401);
    expect(logs.text()).toContain("refresh token rejected (KOE322)");
    expectNotLogged([...tokens, ...cookieValues(flow)]);
  });

  it("LOG-01: sign-out with Kakao logout and the unlink webhook log no token, cookie or admin key", async () => {
    const emulator = emu.get();
    const { flow, userId } = await signInNewUser(app.url, emulator);
    const tokens = tokensOf(emulator, userId);
    emulator.fail("logout", { kapiCode: -401 }); // a failed Kakao logout is logged too
    const res = await fetch(`${app.url}/auth/signout`, {
      method: "POST",
      headers: {
        cookie: flow.jar.header(),
        origin: app.url,
        "content-type": "application/x-www-form-urlencoded",
        ...JSON_ACCEPT,
      },
      body: "kakaoLogout=true",
    });
    expect(res.status).toBe(200);
    expect(logs.text()).toContain("Kakao logout failed");
    const hook = await emulator.sendUnlinkWebhook(`${app.url}/auth/webhooks/kakao/unlink`, { userId });
    expect(hook.status).toBe(200);
    const refused = await emulator.sendUnlinkWebhook(`${app.url}/auth/webhooks/kakao/unlink`, {
      userId,
      adminKey: `${ADMIN_KEY}-wrong`,
    });
    expect(refused.status).toBe(401);
    expectNotLogged([...tokens, ...cookieValues(flow), ADMIN_KEY, `${ADMIN_KEY}-wrong`]);
  });

  it("LOG-01: the client secret, AUTH_SECRET and admin key never appear in the debug output", () => {
    expect(logs.lines.length).toBeGreaterThan(10);
    expectNotLogged(secretsOf(emu.get()));
  });
});

describe("LOG-02: error pages and JSON error bodies", () => {
  const emu = useEmulator({ adminKey: ADMIN_KEY });
  const app = useApp(() => emu.get(), { routes: kakaoContextRoutes, options: { adminKey: ADMIN_KEY } });

  afterEach(() => {
    restoreClocks(emu.get());
    emu.get().clearFaults();
  });
  expectNoServerErrorsAfterEach();

  /** The secrets plus whatever tokens and cookies this browser and user hold. */
  function sensitive(flow?: LoginFlow, userId?: string): string[] {
    return [
      ...secretsOf(emu.get()),
      SECRET,
      ...(flow ? cookieValues(flow) : []),
      ...(userId ? tokensOf(emu.get(), userId) : []),
    ];
  }

  it.each([
    "access_denied",
    "state",
    "id_token",
    "KOE010",
    "KOE303",
    "KOE320",
    "Configuration",
    "unknown",
    "<script>alert(1)</script>",
    `${"x".repeat(300)}`,
  ])("LOG-02: the error page for error=%s shows no secret, stack or echoed input", async (code) => {
    const res = await fetch(`${app.url}/auth/error?error=${encodeURIComponent(code)}`);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).not.toMatch(STACK_TRACE);
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("x".repeat(300));
    for (const secret of sensitive()) expect(html).not.toContain(secret);
  });

  it("LOG-02: a token endpoint error that quotes the client secret shows a page without it", async () => {
    const emulator = emu.get();
    emulator.fail("token", {
      status: 401,
      body: {
        error: "invalid_client",
        error_description: `Bad client credentials ${emulator.clientSecret ?? ""}`,
        error_code: "KOE010",
      },
    });
    const flow = new LoginFlow(app.url);
    const res = await flow.run();
    const shown = await expectCleanError(res, app.url, sensitive(flow));
    expect(shown.code).toBe("KOE010");
  });

  it("LOG-02: a replayed code's error page does not show the code", async () => {
    const flow = new LoginFlow(app.url);
    await flow.start();
    await flow.authorize();
    const replay = new LoginFlow(app.url, flow.jar.clone());
    await flow.callback();
    const res = await replay.callback(flow.callbackUrl);
    const shown = await expectCleanError(res, app.url, [
      ...sensitive(flow),
      flow.callbackUrl!.searchParams.get("code")!,
    ]);
    expect(shown.code).toBe("KOE320");
  });

  it("LOG-02: Kakao's error_description on the callback is not echoed", async () => {
    const flow = new LoginFlow(app.url);
    await flow.start();
    const state = flow.authorizeUrl!.searchParams.get("state")!;
    const res = await flow.callback(
      `${app.url}/auth/callback/kakao?error=access_denied&error_description=${encodeURIComponent("<b>leak</b>")}&state=${state}`,
    );
    const shown = await expectCleanError(res, app.url, sensitive(flow));
    expect(shown.body).not.toContain("leak");
  });

  it("LOG-02: JSON errors of guards, sign-out, webhook and Kakao API failures carry no secret, token or stack", async () => {
    const emulator = emu.get();
    const { flow, userId } = await signInNewUser(app.url, emulator);
    const secrets = sensitive(flow, userId);
    const bodies: Response[] = [
      await fetch(`${app.url}/me`, JSON_ACCEPT_INIT),
      await fetch(`${app.url}/auth/signout`, {
        method: "POST",
        headers: { cookie: flow.jar.header(), origin: "http://evil.example", ...JSON_ACCEPT },
      }),
      await fetch(`${app.url}/auth/webhooks/kakao/unlink`, {
        method: "POST",
        headers: { authorization: `KakaoAK ${ADMIN_KEY}x` },
      }),
      await flow.get("/kakao/talk", JSON_ACCEPT),
    ];
    emulator.fail("me", { kapiCode: -401, times: 2 });
    bodies.push(await flow.get("/kakao/me", JSON_ACCEPT));
    const dead = await signInNewUser(app.url, emulator);
    secrets.push(...sensitive(dead.flow, dead.userId));
    advanceClocks(emulator, 21_600);
    emulator.fail("refresh", { koe: "KOE322" });
    bodies.push(await dead.flow.get("/kakao/token", JSON_ACCEPT));
    expect(bodies.map((r) => r.status)).toEqual([401, 403, 401, 403, 401, 401]);
    for (const res of bodies) {
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const body = await res.text();
      expect(body).not.toMatch(STACK_TRACE);
      for (const secret of secrets) expect(body).not.toContain(secret);
    }
  });
});

const JSON_ACCEPT_INIT = { headers: JSON_ACCEPT };
