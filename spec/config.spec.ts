import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { resolveConfig } from "../lib/config.js";
import { kakaoAuth, KakaoAuthConfigError, type KakaoAuthOptions } from "../lib/index.js";
import { resetWarnings } from "../lib/log.js";

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
    expect(configError({ secret: [] }, { ...ENV, AUTH_SECRET: undefined }).message).toMatch(/no secret is set/);
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
