import { createHash } from "node:crypto";
import { decode } from "@auth/core/jwt";
import { describe, expect, it } from "vitest";
import { EXPRESS_MAJORS, SECRET } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { LoginFlow } from "../support/login-flow.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import { getWithHeaders } from "../support/raw-request.js";
import { base64urlBits, expectNoSession, setsSessionCookie, startSignIn, useApp } from "../support/security.js";

/** The authorize URL sign-in redirects to, for a query given as pairs (repeats allowed). */
async function authorizeUrlFor(appUrl: string, query: [string, string][] = []): Promise<URL> {
  const flow = new LoginFlow(appUrl);
  const res = await startSignIn(flow, query);
  expect(res.status).toBe(302);
  return flow.authorizeUrl!;
}

/** The Set-Cookie line of a cookie, by name. */
function setCookieLine(res: Response, name: string): string | undefined {
  return res.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));
}

/** Auth.js seals the `state` parameter as a JWE around 32 random bytes (salt "encodedState"). */
async function randomInState(state: string): Promise<string> {
  const payload = await decode<{ random?: string }>({ token: state, secret: SECRET, salt: "encodedState" });
  return payload?.random ?? "";
}

describe.each(EXPRESS_MAJORS)("the authorize request sign-in sends on Express %i", (major) => {
  const emu = useEmulator();
  const app = useApp(emu.get, { express: major });
  expectNoServerErrorsAfterEach();

  it("AUTHZ-01: every attempt carries a different state", async () => {
    const states = await Promise.all(
      Array.from({ length: 8 }, async () => (await authorizeUrlFor(app.url)).searchParams.get("state")),
    );
    expect(new Set(states).size).toBe(8);
  });

  it("AUTHZ-01: the state seals at least 128 bits of randomness under AUTH_SECRET", async () => {
    const state = (await authorizeUrlFor(app.url)).searchParams.get("state")!;
    const random = await randomInState(state);
    expect(random).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(base64urlBits(random)).toBeGreaterThanOrEqual(128);
  });

  it("AUTHZ-01: the state is bound to the browser by an HttpOnly, SameSite=Lax cookie of at most 15 minutes", async () => {
    const res = await new LoginFlow(app.url).start();
    const line = setCookieLine(res, "authjs.state")!;
    expect(line).toMatch(/; HttpOnly/i);
    expect(line).toMatch(/; SameSite=Lax/i);
    expect(line).toMatch(/; Path=\//i);
    const expires = Date.parse(/; Expires=([^;]+)/i.exec(line)?.[1] ?? "");
    expect(expires - Date.now()).toBeLessThanOrEqual(15 * 60_000 + 5_000);
  });

  it("AUTHZ-01: the state cookie is one-time: the callback clears it", async () => {
    const flow = new LoginFlow(app.url);
    await flow.start();
    expect(flow.jar.get("authjs.state")).toBeDefined();
    const res = await flow.run();
    expect(setsSessionCookie(res)).toBe(true);
    expect(flow.jar.get("authjs.state")).toBeUndefined();
    expect(flow.jar.get("authjs.pkce.code_verifier")).toBeUndefined();
  });

  it("AUTHZ-02: the authorize URL carries an S256 code challenge, different per attempt", async () => {
    const [a, b] = await Promise.all([authorizeUrlFor(app.url), authorizeUrlFor(app.url)]);
    for (const url of [a, b]) {
      expect(url.searchParams.getAll("code_challenge_method")).toEqual(["S256"]);
      expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    expect(a.searchParams.get("code_challenge")).not.toBe(b.searchParams.get("code_challenge"));
  });

  it("AUTHZ-02: code_challenge_method=plain in the sign-in query never reaches Kakao", async () => {
    const url = await authorizeUrlFor(app.url, [
      ["code_challenge_method", "plain"],
      ["code_challenge", "attacker"],
    ]);
    expect(url.searchParams.getAll("code_challenge_method")).toEqual(["S256"]);
    expect(url.searchParams.getAll("code_challenge")).toHaveLength(1);
    expect(url.searchParams.get("code_challenge")).not.toBe("attacker");
  });

  it("AUTHZ-02: the verifier sent to the token endpoint is the S256 pre-image of the challenge", async () => {
    const flow = new LoginFlow(app.url);
    await flow.run();
    const exchange = emu.get().requestsTo("/oauth/token").at(-1)!;
    const verifier = (exchange.body as Record<string, string[]>).code_verifier?.[0] ?? "";
    expect(base64urlBits(verifier)).toBeGreaterThanOrEqual(256);
    expect(createHash("sha256").update(verifier).digest("base64url")).toBe(
      flow.authorizeUrl!.searchParams.get("code_challenge"),
    );
  });

  it("AUTHZ-03: without oidc the authorize URL carries no nonce and no openid scope", async () => {
    const url = await authorizeUrlFor(app.url, [["scope", "openid"]]);
    expect(url.searchParams.has("nonce")).toBe(false);
    expect(url.searchParams.has("scope")).toBe(false);
  });

  it("AUTHZ-04: redirect_uri is exactly the app's origin, basePath and /callback/kakao", async () => {
    const url = await authorizeUrlFor(app.url);
    expect(url.searchParams.getAll("redirect_uri")).toEqual([`${app.url}/auth/callback/kakao`]);
  });

  it("AUTHZ-04: the token request repeats the authorize redirect_uri exactly", async () => {
    const flow = new LoginFlow(app.url);
    await flow.run();
    const exchange = emu.get().requestsTo("/oauth/token").at(-1)!;
    expect((exchange.body as Record<string, string[]>).redirect_uri).toEqual([
      flow.authorizeUrl!.searchParams.get("redirect_uri"),
    ]);
  });

  it("AUTHZ-04: a forged X-Forwarded-Host or X-Forwarded-Proto without trust proxy does not move redirect_uri", async () => {
    const res = await getWithHeaders(`${app.url}/auth/signin/kakao`, {
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "https",
    });
    expect(res.status).toBe(302);
    expect(new URL(res.location!).searchParams.get("redirect_uri")).toBe(`${app.url}/auth/callback/kakao`);
  });

  it("AUTHZ-04: a Host header that is not a host name is refused with 400", async () => {
    const res = await getWithHeaders(`${app.url}/auth/signin/kakao`, { host: "evil.example@127.0.0.1" });
    expect(res.status).toBe(400);
    expect(res.location).toBeUndefined();
  });

  it("AUTHZ-05: consent items from the query are forwarded comma-separated", async () => {
    const url = await authorizeUrlFor(app.url, [["scope", "account_email,profile_image"]]);
    expect(url.searchParams.getAll("scope")).toEqual(["account_email,profile_image"]);
  });

  it.each([
    ["spaces", "account_email profile_image"],
    ["plus signs", "account_email+profile_image"],
    ["mixed separators and repeats", " account_email,, profile_image account_email "],
  ])("AUTHZ-05: consent items separated by %s are normalised to one comma list", async (_label, scope) => {
    const url = await authorizeUrlFor(app.url, [["scope", scope]]);
    expect(url.searchParams.getAll("scope")).toEqual(["account_email,profile_image"]);
  });

  it.each([
    ["openid without oidc", "openid"],
    ["upper case", "ACCOUNT_EMAIL"],
    ["a semicolon", "account_email;profile_image"],
    ["an ampersand and equals sign", "account_email&prompt=none"],
    ["markup", "<script>alert(1)</script>"],
    ["CR/LF", "\r\nSet-Cookie:x=1"],
    ["a leading digit", "1account"],
    ["a 65-character id", `a${"b".repeat(64)}`],
  ])("AUTHZ-05: a scope with %s is not forwarded", async (_label, scope) => {
    const url = await authorizeUrlFor(app.url, [["scope", scope]]);
    expect(url.searchParams.has("scope")).toBe(false);
    expect(url.search).not.toMatch(/%0D|%0A|prompt=none/i);
  });

  it("AUTHZ-05: CR/LF in a scope only separates items: the header-like rest is dropped", async () => {
    const url = await authorizeUrlFor(app.url, [["scope", "account_email\r\nSet-Cookie:x=1"]]);
    expect(url.searchParams.getAll("scope")).toEqual(["account_email"]);
  });

  it("AUTHZ-05: only the well-formed ids of a mixed scope list are forwarded, openid dropped", async () => {
    const url = await authorizeUrlFor(app.url, [["scope", "openid,account_email,Bad-Id,<x>,profile_image"]]);
    expect(url.searchParams.getAll("scope")).toEqual(["account_email,profile_image"]);
  });

  it("AUTHZ-06: of repeated scope parameters only the first is forwarded", async () => {
    const url = await authorizeUrlFor(app.url, [
      ["scope", "account_email"],
      ["scope", "profile_image"],
    ]);
    expect(url.searchParams.getAll("scope")).toEqual(["account_email"]);
  });

  it("AUTHZ-06: of repeated prompt parameters only the first is forwarded", async () => {
    const url = await authorizeUrlFor(app.url, [
      ["prompt", "login"],
      ["prompt", "none"],
    ]);
    expect(url.searchParams.getAll("prompt")).toEqual(["login"]);
  });

  it("AUTHZ-06: no authorize parameter appears twice, whatever the sign-in query repeats", async () => {
    const url = await authorizeUrlFor(app.url, [
      ["scope", "account_email"],
      ["scope", "profile_image"],
      ["prompt", "login"],
      ["prompt", "create"],
      ["login_hint", "a"],
      ["login_hint", "b"],
      ["returnTo", "/a"],
      ["returnTo", "/b"],
      ["state", "attacker"],
      ["redirect_uri", "https://evil.example/cb"],
      ["client_id", "other"],
    ]);
    for (const key of new Set(url.searchParams.keys())) expect(url.searchParams.getAll(key), key).toHaveLength(1);
    expect(url.searchParams.get("state")).not.toBe("attacker");
    expect(url.searchParams.get("redirect_uri")).toBe(`${app.url}/auth/callback/kakao`);
    expect(url.searchParams.get("client_id")).toBe(emu.get().clientId);
  });

  it("AUTHZ-06: of repeated returnTo parameters the first is used after login", async () => {
    const flow = new LoginFlow(app.url);
    await startSignIn(flow, [
      ["returnTo", "/first"],
      ["returnTo", "https://evil.example/"],
    ]);
    await flow.authorize();
    const res = await flow.callback();
    expect(res.headers.get("location")).toBe(`${app.url}/first`);
  });

  it.each(["login", "none", "select_account", "create"])("AUTHZ-07: prompt=%s is forwarded", async (prompt) => {
    const url = await authorizeUrlFor(app.url, [["prompt", prompt]]);
    expect(url.searchParams.getAll("prompt")).toEqual([prompt]);
  });

  it.each([
    ["CR/LF injection", "none\r\nSet-Cookie: x=1"],
    ["an unknown value", "consent"],
    ["upper case", "LOGIN"],
    ["two values", "login none"],
    ["a comma list", "login,none"],
    ["an empty value", ""],
  ])("AUTHZ-07: a prompt with %s is not forwarded", async (_label, prompt) => {
    const flow = new LoginFlow(app.url);
    const res = await startSignIn(flow, [["prompt", prompt]]);
    expect(flow.authorizeUrl!.searchParams.has("prompt")).toBe(false);
    expect(res.headers.getSetCookie().some((c) => c.startsWith("x="))).toBe(false);
  });

  it("AUTHZ-07: a login_hint with control characters is not forwarded", async () => {
    const url = await authorizeUrlFor(app.url, [["login_hint", "user@example.com\r\nX: y"]]);
    expect(url.searchParams.has("login_hint")).toBe(false);
  });
});

describe("the authorize request behind a proxy or with baseURL (Express 5)", () => {
  const emu = useEmulator();
  const proxied = useApp(emu.get, { routes: (app) => app.set("trust proxy", "loopback") });
  const fixed = useApp(emu.get, { options: { baseURL: "https://app.example.com" } });
  expectNoServerErrorsAfterEach();

  it("AUTHZ-04: X-Forwarded-Host and -Proto move redirect_uri only when trust proxy trusts the peer", async () => {
    const res = await getWithHeaders(`${proxied.url}/auth/signin/kakao`, {
      "x-forwarded-host": "app.example.com",
      "x-forwarded-proto": "https",
    });
    expect(new URL(res.location!).searchParams.get("redirect_uri")).toBe("https://app.example.com/auth/callback/kakao");
  });

  it("AUTHZ-04: with baseURL set, neither Host nor X-Forwarded-Host changes redirect_uri", async () => {
    const forged: Record<string, string>[] = [{ host: "evil.example" }, { "x-forwarded-host": "evil.example" }, {}];
    for (const headers of forged) {
      const res = await getWithHeaders(`${fixed.url}/auth/signin/kakao`, headers);
      expect(res.status).toBe(302);
      expect(new URL(res.location!).searchParams.get("redirect_uri")).toBe(
        "https://app.example.com/auth/callback/kakao",
      );
    }
  });
});

describe("the authorize request with OpenID Connect (Express 5)", () => {
  const emu = useEmulator({ oidc: true });
  const app = useApp(emu.get, { options: { oidc: true } });
  expectNoServerErrorsAfterEach();

  it("AUTHZ-03: every attempt carries a different nonce of at least 128 bits", async () => {
    const nonces = await Promise.all(
      Array.from({ length: 8 }, async () => (await authorizeUrlFor(app.url)).searchParams.get("nonce") ?? ""),
    );
    expect(new Set(nonces).size).toBe(8);
    for (const nonce of nonces) expect(base64urlBits(nonce)).toBeGreaterThanOrEqual(128);
  });

  it("AUTHZ-03: the nonce is bound to the browser by an HttpOnly cookie", async () => {
    const res = await new LoginFlow(app.url).start();
    expect(setCookieLine(res, "authjs.nonce")).toMatch(/; HttpOnly/i);
  });

  it("AUTHZ-03: a callback whose nonce cookie is gone creates no session", async () => {
    const flow = new LoginFlow(app.url);
    await flow.start();
    await flow.authorize();
    flow.jar.delete("authjs.nonce");
    const res = await flow.callback();
    await expectNoSession(flow, res);
  });

  it("AUTHZ-03: the login with the browser's own nonce succeeds (control)", async () => {
    const flow = new LoginFlow(app.url);
    const res = await flow.run();
    expect(setsSessionCookie(res)).toBe(true);
  });

  it("AUTHZ-05: with oidc, openid is sent once, first, beside the requested items", async () => {
    const url = await authorizeUrlFor(app.url, [["scope", "openid,account_email,openid"]]);
    expect(url.searchParams.getAll("scope")).toEqual(["openid,account_email"]);
  });
});
