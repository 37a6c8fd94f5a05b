import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { KAKAO_AUTH_NOT_CALLED, looksLikeRequest, resolveConfig } from "../lib/config.js";
import { kakaoAuth, KakaoAuthConfigError, type KakaoAuthOptions } from "../lib/index.js";
import { resetWarnings } from "../lib/log.js";
import { errorFromMounted, runAsMiddleware } from "./support/as-middleware.js";

const SECRET = "config-spec-secret-0123456789abcdefgh";
/** A complete environment: each test removes or breaks one thing. */
const ENV = { AUTH_KAKAO_ID: "rest-key", AUTH_KAKAO_SECRET: "client-secret", AUTH_SECRET: SECRET };

/** The config error `resolveConfig` throws for these inputs (fails the test when none is thrown). */
function configError(options: KakaoAuthOptions, env: Record<string, string | undefined> = ENV): KakaoAuthConfigError {
  try {
    resolveConfig(options, env);
  } catch (err) {
    expect(err).toBeInstanceOf(KakaoAuthConfigError);
    return err as KakaoAuthConfigError;
  }
  throw new Error("resolveConfig did not throw");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

let warn: MockInstance<typeof console.warn>;
beforeEach(() => {
  resetWarnings();
  warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(() => {
  warn.mockRestore();
});

describe("resolveConfig: required options (CFG-01)", () => {
  it("CFG-01: a missing client id names clientId, AUTH_KAKAO_ID and where to find the key", () => {
    const err = configError({}, { ...ENV, AUTH_KAKAO_ID: undefined });
    expect(err.option).toBe("clientId");
    expect(err.code).toBe("ERR_KAKAO_CONFIG");
    expect(err.message).toContain('"clientId"');
    expect(err.message).toContain("AUTH_KAKAO_ID");
    expect(err.message).toMatch(/REST API key/);
  });

  it("CFG-01: a blank client id counts as missing", () => {
    expect(configError({ clientId: "   " }, { ...ENV, AUTH_KAKAO_ID: undefined }).option).toBe("clientId");
  });

  it("CFG-01: a missing secret names secret, AUTH_SECRET and how to generate one", () => {
    const err = configError({}, { ...ENV, AUTH_SECRET: undefined });
    expect(err.option).toBe("secret");
    expect(err.message).toContain('"secret"');
    expect(err.message).toContain("AUTH_SECRET");
    expect(err.message).toContain("openssl rand");
  });

  it("CFG-01: an empty secret list counts as missing", () => {
    expect(configError({ secret: [] }, { ...ENV, AUTH_SECRET: undefined }).message).toContain(
      'option "secret" (or env AUTH_SECRET) is not set',
    );
  });

  it("CFG-01: a missing client secret is allowed but warned about once, naming AUTH_KAKAO_SECRET", () => {
    const env = { ...ENV, AUTH_KAKAO_SECRET: undefined };
    expect(resolveConfig({}, env).clientSecret).toBeUndefined();
    resolveConfig({}, env);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/AUTH_KAKAO_SECRET.*KOE010/s);
  });

  it("CFG-01: the warning about a missing client secret never prints another secret", () => {
    resolveConfig({}, { ...ENV, AUTH_KAKAO_SECRET: undefined });
    expect(String(warn.mock.calls[0]?.[0])).not.toContain(SECRET);
  });

  it("kakaoAuth() validates its options when it is called, not at the first request", () => {
    expect(() => kakaoAuth({ clientId: "k", secret: SECRET, sesion: {} } as KakaoAuthOptions)).toThrow(
      KakaoAuthConfigError,
    );
  });
});

describe("resolveConfig: environment defaults", () => {
  it("reads clientId, clientSecret and secret from AUTH_KAKAO_ID, AUTH_KAKAO_SECRET and AUTH_SECRET", () => {
    const config = resolveConfig({}, ENV);
    expect(config).toMatchObject({ clientId: "rest-key", clientSecret: "client-secret", secrets: [SECRET] });
  });

  it("prefers explicit options over the environment", () => {
    const other = "another-secret-0123456789abcdefghijkl";
    const config = resolveConfig({ clientId: "opt-key", clientSecret: "opt-secret", secret: other }, ENV);
    expect(config).toMatchObject({ clientId: "opt-key", clientSecret: "opt-secret", secrets: [other] });
  });

  it("reads baseURL, the Kakao origins, the admin key and the app id from the environment", () => {
    const config = resolveConfig(
      {},
      {
        ...ENV,
        AUTH_URL: "https://app.example.com",
        KAKAO_AUTH_ORIGIN: "http://127.0.0.1:9000",
        KAKAO_API_ORIGIN: "http://127.0.0.1:9001",
        KAKAO_ADMIN_KEY: "admin",
        KAKAO_APP_ID: "1234567",
      },
    );
    expect(config).toMatchObject({
      origin: "https://app.example.com",
      authOrigin: "http://127.0.0.1:9000",
      apiOrigin: "http://127.0.0.1:9001",
      adminKey: "admin",
      appId: "1234567",
    });
  });

  it("defaults to Kakao's real origins, /auth, no scopes, no OIDC and a per-request origin", () => {
    const config = resolveConfig({}, ENV);
    expect(config).toMatchObject({
      authOrigin: "https://kauth.kakao.com",
      apiOrigin: "https://kapi.kakao.com",
      basePath: "/auth",
      scopes: [],
      oidc: false,
      origin: undefined,
      adminKey: undefined,
    });
  });

  it("defaults to cookie sessions with a 30-day idle and a 60-day absolute lifetime, rolling", () => {
    expect(resolveConfig({}, ENV).session).toMatchObject({
      store: "cookie",
      maxAge: 30 * 86400,
      absoluteDuration: 60 * 86400,
      rolling: true,
    });
  });

  it("keeps every secret of a rotation list in order", () => {
    const old = "old-secret-0123456789abcdefghijklmnop";
    expect(resolveConfig({ secret: [SECRET, old] }, ENV).secrets).toEqual([SECRET, old]);
  });
});

describe("resolveConfig: malformed options", () => {
  it("CFG-02: a short secret is refused at startup, naming the 32-character minimum", () => {
    const err = configError({ secret: "abc" });
    expect(err.option).toBe("secret");
    expect(err.message).toContain("32 characters");
    expect(err.message).toContain("AUTH_SECRET");
    expect(err.message).not.toContain('"abc"');
  });

  it("CFG-02: a short secret in the environment is refused too", () => {
    expect(configError({}, { ...ENV, AUTH_SECRET: "short" }).option).toBe("secret");
  });

  it("CFG-02: one short secret in a rotation list is refused, naming its position", () => {
    expect(configError({ secret: [SECRET, "short"] }).message).toContain("secret #2");
  });

  it("CFG-03: an authOrigin that is not a URL names authOrigin, KAKAO_AUTH_ORIGIN and an example", () => {
    const err = configError({ authOrigin: "kauth" });
    expect(err.option).toBe("authOrigin");
    expect(err.message).toContain("KAKAO_AUTH_ORIGIN");
    expect(err.message).toContain("https://kauth.kakao.com");
  });

  it("CFG-03: an apiOrigin with a path is refused with the origin to use instead", () => {
    const err = configError({ apiOrigin: "https://kapi.kakao.com/v2" });
    expect(err.option).toBe("apiOrigin");
    expect(err.message).toContain("KAKAO_API_ORIGIN");
    expect(err.message).toContain('Use "https://kapi.kakao.com"');
  });

  it("CFG-03: a non-http scheme for an origin is refused", () => {
    expect(configError({ authOrigin: "ftp://kauth.kakao.com" }).option).toBe("authOrigin");
  });

  it("CFG-03: a basePath without a leading slash is refused with an example", () => {
    const err = configError({ basePath: "auth" });
    expect(err.option).toBe("basePath");
    expect(err.message).toContain('"/auth"');
  });

  it("CFG-03: a basePath with a query is refused", () => {
    expect(configError({ basePath: "/auth?x=1" }).option).toBe("basePath");
  });

  it("CFG-03: a trailing slash on basePath is dropped", () => {
    expect(resolveConfig({ basePath: "/api/auth/" }, ENV).basePath).toBe("/api/auth");
  });

  it("CFG-03: a baseURL that is not absolute names baseURL and AUTH_URL", () => {
    const err = configError({ baseURL: "app.example.com" });
    expect(err.option).toBe("baseURL");
    expect(err.message).toContain("AUTH_URL");
    expect(err.message).toContain("https://app.example.com");
  });

  it("CFG-03: a baseURL with a query or fragment is refused", () => {
    expect(configError({ baseURL: "https://app.example.com/?next=1" }).option).toBe("baseURL");
  });

  it("a scope that is not a consent-item id is refused, naming scopes", () => {
    const err = configError({ scopes: ["account_email", "talk message"] });
    expect(err.option).toBe("scopes");
    expect(err.message).toContain('"talk message"');
  });

  it("scopes given as a string instead of an array are refused", () => {
    expect(configError({ scopes: "account_email" as unknown as string[] }).option).toBe("scopes");
  });

  it("openid in scopes without oidc is refused with the fix", () => {
    expect(configError({ scopes: ["openid"] }).message).toContain("oidc: true");
  });

  it("an unknown session store is refused", () => {
    expect(configError({ session: { store: "redis" as "cookie" } }).option).toBe("session.store");
  });

  it("a negative or fractional session.maxAge is refused", () => {
    expect(configError({ session: { maxAge: -1 } }).option).toBe("session.maxAge");
    expect(configError({ session: { maxAge: 1.5 } }).option).toBe("session.maxAge");
  });

  it("an unknown session option is refused, listing the known ones", () => {
    const err = configError({ session: { maxage: 60 } as never });
    expect(err.option).toBe("session.maxage");
    expect(err.message).toContain("maxAge");
  });

  it("a non-boolean oidc is refused", () => {
    expect(configError({ oidc: "yes" as unknown as boolean }).option).toBe("oidc");
  });

  it("a hook that is not a function is refused, naming the hook", () => {
    expect(configError({ onSignIn: "allow" as never }).option).toBe("onSignIn");
  });

  it("a timeout of zero is refused", () => {
    expect(configError({ timeout: 0 }).option).toBe("timeout");
  });

  it.each([
    ["clientId", 123],
    ["clientSecret", 123],
    ["baseURL", new URL("https://app.example.com")],
    ["basePath", 1],
    ["authOrigin", 1],
    ["adminKey", true],
  ])("a non-string %s throws a KakaoAuthConfigError naming it, not a TypeError", (option, value) => {
    expect(configError({ [option]: value }).option).toBe(option);
  });
});

describe("resolveConfig: unknown options", () => {
  it("an unknown option name is refused, naming it and listing the known options", () => {
    const err = configError({ clientID: "x" } as KakaoAuthOptions);
    expect(err.option).toBe("clientID");
    expect(err.message).toContain("clientId");
  });

  it("Auth.js-only option names at the top level are refused (they belong under authjs)", () => {
    expect(configError({ callbacks: {} } as KakaoAuthOptions).option).toBe("callbacks");
  });

  it("a non-object options argument is refused", () => {
    expect(configError("secret" as unknown as KakaoAuthOptions).option).toBe("options");
  });
});

describe("kakaoAuth options", () => {
  it.each<[string, KakaoAuthOptions, Record<string, string | undefined>?]>([
    ['option "clientID" is not an option of kakaoAuth()', { clientID: "x" } as KakaoAuthOptions],
    ['option "session.maxage" is not a session option', { session: { maxage: 60 } as never }],
    ['option "clientId" (or env AUTH_KAKAO_ID) is not set', {}, { ...ENV, AUTH_KAKAO_ID: undefined }],
    ['option "secret" (or env AUTH_SECRET) is shorter than 32 characters', { secret: "abc" }],
    ['option "authOrigin" (or env KAKAO_AUTH_ORIGIN) is "kauth", not an absolute URL', { authOrigin: "kauth" }],
    ['option "clientSecret" (or env AUTH_KAKAO_SECRET) is a number, not a string', { clientSecret: 1 as never }],
    ['option "basePath" is "auth", not a path like "/auth"', { basePath: "auth" }],
    ['option "scopes" has "talk message", which is not a Kakao consent-item id', { scopes: ["talk message"] }],
    ['option "session.store" is "redis", not a store', { session: { store: "redis" as "cookie" } }],
    ['option "onSignIn" is a string, not a function', { onSignIn: "allow" as never }],
    ['option "oidc" is a string, not true or false', { oidc: "yes" as never }],
    ["the argument of kakaoAuth() is a string, not an options object", "secret" as never],
  ])("starts the message with its subject: %s", (sentence, options, env = ENV) => {
    expect(configError(options, env).message).toMatch(new RegExp(`^kakaoAuth: ${escapeRegExp(sentence)}\\. \\S`));
  });

  it("names the type, not the value, of a secret given the wrong type", () => {
    const message = configError({ secret: ["x".repeat(40), 12345 as never] }).message;
    expect(message).toContain('option "secret" (or env AUTH_SECRET) has secret #2, which is a number, not a string.');
    expect(message).not.toContain("12345");
  });

  it("suggests clientId for clientID, then lists the known options", () => {
    expect(configError({ clientID: "x" } as KakaoAuthOptions).message).toMatch(
      /^kakaoAuth: option "clientID" is not an option of kakaoAuth\(\)\. Did you mean "clientId"\? Known options: clientId, clientSecret, secret, /,
    );
  });

  it("suggests clientId for clientID when kakaoAuth() is called", () => {
    expect(() => kakaoAuth({ clientID: "x" } as KakaoAuthOptions)).toThrow(
      'kakaoAuth: option "clientID" is not an option of kakaoAuth(). Did you mean "clientId"?',
    );
  });

  it.each([
    ["baseURL", "baseUrl"],
    ["basePath", "basepath"],
    ["adminKey", "adminkey"],
    ["revocationStore", "REVOCATIONSTORE"],
    ["scopes", "scope"],
    ["session", "sesion"],
    ["clientSecret", "clientSecert"],
    ["clientId", "client_id"],
    ["timeout", "timeoutMs"],
  ])("suggests %s for %s", (known, typo) => {
    const err = configError({ [typo]: "x" });
    expect(err.option).toBe(typo);
    expect(err.message).toContain(`Did you mean "${known}"?`);
  });

  it("offers no suggestion for a name more than two edits from every option, only the list", () => {
    const message = configError({ callbacks: {} } as KakaoAuthOptions).message;
    expect(message).not.toContain("Did you mean");
    expect(message).toContain("Known options: clientId,");
  });

  it.each([
    ["session.maxAge", "maxage"],
    ["session.maxAge", "max_age"],
    ["session.absoluteDuration", "absoluteDuraton"],
    ["session.cacheSize", "cachesize"],
  ])("suggests %s for session.%s", (known, typo) => {
    const err = configError({ session: { [typo]: 1 } });
    expect(err.option).toBe(`session.${typo}`);
    expect(err.message).toContain(`Did you mean "${known}"? Known session options: store, maxAge,`);
  });

  it("offers no suggestion for a session key far from every session option", () => {
    expect(configError({ session: { secure: true } as never }).message).not.toContain("Did you mean");
  });

  it('asks for milliseconds when timeout is "10s"', () => {
    const message = configError({ timeout: "10s" as never }).message;
    expect(message).toBe(
      'kakaoAuth: option "timeout" is "10s", not a positive whole number of milliseconds. ' +
        "Use a number of milliseconds, e.g. timeout: 10000.",
    );
  });

  it.each<[string, KakaoAuthOptions, string]>([
    ["session.maxAge", { session: { maxAge: "30d" as never } }, "seconds, e.g. session: { maxAge: 2592000 }."],
    [
      "session.absoluteDuration",
      { session: { absoluteDuration: -1 } },
      "seconds, e.g. session: { absoluteDuration: 5184000 }.",
    ],
    ["session.updateAge", { session: { updateAge: 1.5 } }, "seconds, e.g. session: { updateAge: 86400 }."],
    ["session.cacheSize", { session: { cacheSize: "all" as never } }, "entries, e.g. session: { cacheSize: 10000 }."],
    ["revocationPollInterval", { revocationPollInterval: "5s" as never }, "seconds, e.g. revocationPollInterval: 5."],
  ])("names the unit of %s in the problem and the fix", (option, options, fix) => {
    const unit = fix.split(",")[0]!;
    const message = configError(options).message;
    expect(message).toMatch(
      new RegExp(`^kakaoAuth: option "${escapeRegExp(option)}" is .+ whole number of ${unit}\\. `),
    );
    expect(message).toContain(`Use a number of ${fix}`);
  });

  it.each([5, 4] as const)("tells resolveConfig given an Express %i request to call kakaoAuth()", async (major) => {
    const err = await runAsMiddleware(major, (req) => resolveConfig(req as KakaoAuthOptions, ENV)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KakaoAuthConfigError);
    expect(err).toMatchObject({ option: "options", message: KAKAO_AUTH_NOT_CALLED });
    expect(KAKAO_AUTH_NOT_CALLED).toBe("kakaoAuth must be called: app.use(kakaoAuth()), not app.use(kakaoAuth).");
  });

  it.each([5, 4] as const)("answers app.use(kakaoAuth) on Express %i with the call to write", async (major) => {
    const err = await errorFromMounted(major, kakaoAuth);
    expect(err).toBeInstanceOf(KakaoAuthConfigError);
    expect((err as Error).message).toMatch(
      /^kakaoAuth must be called: app\.use\(kakaoAuth\(\)\).*, not app\.use\(kakaoAuth\)\.$/,
    );
  });

  it.each([5, 4] as const)("looksLikeRequest recognises the request Express %i hands a middleware", async (major) => {
    expect(await runAsMiddleware(major, looksLikeRequest)).toBe(true);
  });

  it.each([
    ["options", { clientId: "k", session: { store: "cookie" } }],
    ["an empty object", {}],
    ["null", null],
    ["a string", "GET"],
  ])("looksLikeRequest is false for %s", (_name, value) => {
    expect(looksLikeRequest(value)).toBe(false);
  });
});

describe("resolveConfig: baseURL and basePath", () => {
  it("a baseURL without a path keeps the default /auth", () => {
    expect(resolveConfig({ baseURL: "https://app.example.com" }, ENV)).toMatchObject({
      origin: "https://app.example.com",
      basePath: "/auth",
    });
  });

  it("a baseURL with a path sets basePath, as in Auth.js", () => {
    expect(resolveConfig({ baseURL: "https://app.example.com/api/auth" }, ENV)).toMatchObject({
      origin: "https://app.example.com",
      basePath: "/api/auth",
    });
  });

  it("AUTH_URL with a path sets basePath too", () => {
    expect(resolveConfig({}, { ...ENV, AUTH_URL: "https://app.example.com/api/auth/" }).basePath).toBe("/api/auth");
  });

  it("an explicit basePath equal to the baseURL path is accepted", () => {
    expect(resolveConfig({ baseURL: "https://app.example.com/api/auth", basePath: "/api/auth" }, ENV).basePath).toBe(
      "/api/auth",
    );
  });

  it("a basePath that conflicts with the baseURL path throws, naming both", () => {
    const err = configError({ baseURL: "https://app.example.com/api/auth", basePath: "/auth" });
    expect(err.option).toBe("basePath");
    expect(err.message).toContain('"/auth"');
    expect(err.message).toContain('"/api/auth"');
  });

  it("an explicit basePath applies when baseURL has no path", () => {
    expect(resolveConfig({ baseURL: "https://app.example.com", basePath: "/login" }, ENV).basePath).toBe("/login");
  });
});

describe("resolveConfig: plain http in production (CFG-04)", () => {
  it("CFG-04: an http baseURL in production warns that cookies travel unencrypted", () => {
    resolveConfig({ baseURL: "http://app.example.com" }, { ...ENV, NODE_ENV: "production" });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/http:\/\/app\.example\.com.*https/);
  });

  it("CFG-04: an http AUTH_URL in production warns too", () => {
    resolveConfig({}, { ...ENV, NODE_ENV: "production", AUTH_URL: "http://app.example.com/auth" });
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("an https baseURL in production does not warn", () => {
    resolveConfig({ baseURL: "https://app.example.com" }, { ...ENV, NODE_ENV: "production" });
    expect(warn).not.toHaveBeenCalled();
  });

  it("an http localhost baseURL in production does not warn", () => {
    resolveConfig({ baseURL: "http://localhost:3000" }, { ...ENV, NODE_ENV: "production" });
    resolveConfig({ baseURL: "http://127.0.0.1:3000" }, { ...ENV, NODE_ENV: "production" });
    expect(warn).not.toHaveBeenCalled();
  });

  it("an http baseURL outside production does not warn", () => {
    resolveConfig({ baseURL: "http://app.example.com" }, { ...ENV, NODE_ENV: "development" });
    expect(warn).not.toHaveBeenCalled();
  });
});
