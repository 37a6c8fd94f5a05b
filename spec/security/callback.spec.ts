import { afterEach, describe, expect, it, vi } from "vitest";
import { EXPRESS_MAJORS } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { LoginFlow } from "../support/login-flow.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import {
  expectCleanError,
  expectNoSession,
  secretsOf,
  setsSessionCookie,
  useApp,
  whoami,
} from "../support/security.js";

// Captured before any fake timers: the emulator keeps real time while the app's clock jumps (CB-07).
const realNow = Date.now.bind(Date);

/** A callback URL with some parameters replaced, added or repeated. */
function withParams(url: URL, changes: Record<string, string | string[] | null>): URL {
  const out = new URL(url);
  for (const [key, value] of Object.entries(changes)) {
    out.searchParams.delete(key);
    for (const v of value === null ? [] : Array.isArray(value) ? value : [value]) out.searchParams.append(key, v);
  }
  return out;
}

describe.each(EXPRESS_MAJORS)("the Kakao callback route on Express %i", (major) => {
  const emu = useEmulator({ now: realNow });
  const app = useApp(emu.get, { express: major });
  const clean = (res: Response) => expectCleanError(res, app.url, secretsOf(emu.get()));

  /** A browser that has started a login and been sent back by Kakao, not yet at the callback. */
  async function authorized(): Promise<LoginFlow> {
    const flow = new LoginFlow(app.url);
    await flow.start({ returnTo: "/me" });
    await flow.authorize();
    expect(flow.callbackUrl?.searchParams.get("code")).toBeTruthy();
    return flow;
  }

  afterEach(() => {
    vi.useRealTimers();
    emu.get().clearFaults();
  });
  expectNoServerErrorsAfterEach();

  it("signs in when nothing is tampered with (control)", async () => {
    const flow = await authorized();
    const res = await flow.callback();
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${app.url}/me`);
    expect(setsSessionCookie(res)).toBe(true);
    expect(await whoami(flow)).toMatchObject({ id: "4000000001" });
  });

  it("CB-01: a callback without state creates no session and answers a clean error", async () => {
    const flow = await authorized();
    const res = await flow.callback(withParams(flow.callbackUrl!, { state: null }));
    expect((await clean(res)).code).toBe("state");
    await expectNoSession(flow, res);
  });

  it("CB-01: a callback without state or transaction cookies creates no session", async () => {
    const flow = await authorized();
    flow.jar.cookies.clear();
    const res = await flow.callback(withParams(flow.callbackUrl!, { state: null }));
    await clean(res);
    await expectNoSession(flow, res);
  });

  it("CB-02: a state from another browser's attempt creates no session", async () => {
    const victim = await authorized();
    const other = new LoginFlow(app.url);
    await other.start();
    const foreignState = other.authorizeUrl!.searchParams.get("state")!;
    const res = await victim.callback(withParams(victim.callbackUrl!, { state: foreignState }));
    await clean(res);
    await expectNoSession(victim, res);
  });

  it("CB-02: a forged state value creates no session", async () => {
    const flow = await authorized();
    const res = await flow.callback(withParams(flow.callbackUrl!, { state: "forged-state-value-0123456789abcdef" }));
    await clean(res);
    await expectNoSession(flow, res);
  });

  it("CB-03: a reused authorization code creates no session", async () => {
    const flow = await authorized();
    const replayer = new LoginFlow(app.url, flow.jar.clone());
    expect((await flow.callback()).status).toBe(302);
    const res = await replayer.callback(flow.callbackUrl);
    expect((await clean(res)).code).toBe("KOE320");
    await expectNoSession(replayer, res);
  });

  it("CB-03: replaying the callback URL in the browser that used it creates no new session", async () => {
    const flow = await authorized();
    expect((await flow.callback()).status).toBe(302);
    flow.jar.delete("authjs.session-token");
    const res = await flow.callback();
    await clean(res);
    await expectNoSession(flow, res);
  });

  it("CB-04: the attacker's whole callback URL in the victim's browser creates no session", async () => {
    const victim = new LoginFlow(app.url);
    await victim.start();
    const attacker = await authorized();
    const res = await victim.callback(attacker.callbackUrl);
    await clean(res);
    await expectNoSession(victim, res);
  });

  it("CB-04: the attacker's code injected beside the victim's own state is rejected by PKCE", async () => {
    const victim = await authorized();
    const attacker = await authorized();
    const injected = withParams(victim.callbackUrl!, { code: attacker.callbackUrl!.searchParams.get("code")! });
    const res = await victim.callback(injected);
    expect((await clean(res)).code).not.toBe("state");
    await expectNoSession(victim, res);
    const exchange = emu.get().requestsTo("/oauth/token").at(-1)!;
    expect((exchange.body as Record<string, string[]>).code).toEqual([attacker.callbackUrl!.searchParams.get("code")]);
  });

  it("CB-05: a code_verifier that does not match the challenge is refused with a clean error", async () => {
    const flow = await authorized();
    const other = await authorized();
    flow.jar.set("authjs.pkce.code_verifier", other.jar.get("authjs.pkce.code_verifier")!);
    const res = await flow.callback();
    await clean(res);
    await expectNoSession(flow, res);
    const exchange = emu.get().requestsTo("/oauth/token").at(-1)!;
    expect((exchange.body as Record<string, string[]>).code_verifier?.[0]).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
  });

  it("CB-06: a transaction without its PKCE verifier creates no session and never exchanges the code", async () => {
    const flow = await authorized();
    const before = emu.get().requestsTo("/oauth/token").length;
    flow.jar.delete("authjs.pkce.code_verifier");
    const res = await flow.callback();
    await clean(res);
    await expectNoSession(flow, res);
    expect(emu.get().requestsTo("/oauth/token")).toHaveLength(before);
  });

  it("CB-07: a state cookie with a flipped byte creates no session", async () => {
    const flow = await authorized();
    const cookie = flow.jar.get("authjs.state")!;
    const i = Math.floor(cookie.length / 2);
    flow.jar.set("authjs.state", `${cookie.slice(0, i)}${cookie[i] === "A" ? "B" : "A"}${cookie.slice(i + 1)}`);
    const res = await flow.callback();
    await clean(res);
    await expectNoSession(flow, res);
  });

  it("CB-07: a state cookie past its 15-minute lifetime creates no session", async () => {
    const flow = await authorized();
    vi.useFakeTimers({ toFake: ["Date"], now: realNow() + 16 * 60_000 });
    const res = await flow.callback();
    await clean(res);
    await expectNoSession(flow, res);
  });

  it("CB-08: a user who cancels at Kakao's consent screen sees a friendly page and gets no session", async () => {
    const flow = new LoginFlow(app.url);
    await flow.start();
    emu.get().nextAuthorize({ deny: true });
    await flow.authorize();
    expect(flow.callbackUrl?.searchParams.get("error")).toBe("access_denied");
    const res = await flow.callback();
    const shown = await clean(res);
    expect(shown.code).toBe("access_denied");
    expect(shown.body).toContain("You cancelled Kakao login");
    await expectNoSession(flow, res);
  });

  it("CB-08: an unknown error value from Kakao is not echoed onto the page", async () => {
    const flow = await authorized();
    const res = await flow.callback(withParams(flow.callbackUrl!, { code: null, error: "<script>alert(1)</script>" }));
    const shown = await clean(res);
    expect(shown.code).toBe("callback");
    expect(shown.body).not.toContain("<script>alert(1)");
    await expectNoSession(flow, res);
  });

  it("CB-09: an iss parameter naming another issuer is rejected", async () => {
    const flow = await authorized();
    const res = await flow.callback(withParams(flow.callbackUrl!, { iss: "https://evil.example" }));
    await clean(res);
    await expectNoSession(flow, res);
  });

  it("CB-09: an iss parameter equal to the Kakao auth origin is accepted", async () => {
    const flow = await authorized();
    const res = await flow.callback(withParams(flow.callbackUrl!, { iss: emu.get().url }));
    expect(res.status).toBe(302);
    expect(setsSessionCookie(res)).toBe(true);
  });

  it("CB-10: a repeated code parameter is rejected", async () => {
    const flow = await authorized();
    const code = flow.callbackUrl!.searchParams.get("code")!;
    const res = await flow.callback(withParams(flow.callbackUrl!, { code: [code, "attacker-code"] }));
    expect((await clean(res)).code).toBe("state");
    await expectNoSession(flow, res);
  });

  it("CB-10: a repeated state parameter is rejected", async () => {
    const flow = await authorized();
    const state = flow.callbackUrl!.searchParams.get("state")!;
    const res = await flow.callback(withParams(flow.callbackUrl!, { state: [state, state] }));
    await clean(res);
    await expectNoSession(flow, res);
  });

  it.each(["POST", "PUT", "DELETE", "PATCH"])(
    "CB-11: %s to the callback answers 405 with Allow: GET",
    async (method) => {
      const flow = await authorized();
      const res = await flow.callback(flow.callbackUrl, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET");
      expect(setsSessionCookie(res)).toBe(false);
    },
  );

  it("CB-11: HEAD to the callback answers 405 and leaves the code usable", async () => {
    const flow = await authorized();
    const head = await flow.callback(flow.callbackUrl, { method: "HEAD" });
    expect(head.status).toBe(405);
    expect(setsSessionCookie(head)).toBe(false);
    const res = await flow.callback();
    expect(res.status).toBe(302);
    expect(setsSessionCookie(res)).toBe(true);
  });

  it("CB-12: two parallel callbacks with one code create exactly one session", async () => {
    const flow = await authorized();
    const twin = new LoginFlow(app.url, flow.jar.clone());
    const results = await Promise.all([flow.callback(), twin.callback(flow.callbackUrl)]);
    const winners = results.filter(setsSessionCookie);
    expect(winners).toHaveLength(1);
    const loser = results.find((r) => !setsSessionCookie(r))!;
    expect((await clean(loser)).code).toBe("KOE320");
  });
});
