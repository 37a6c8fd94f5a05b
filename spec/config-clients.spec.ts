import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { kakaoAuth, KakaoAuthConfigError, type KakaoAuthOptions } from "../lib/index.js";

const SECRET = "config-clients-secret-0123456789abcdefgh";
/** Everything kakaoAuth() needs, given explicitly: each test adds one option. */
const BASE: KakaoAuthOptions = { clientId: "rest-key", clientSecret: "client-secret", secret: SECRET };

/** The config error kakaoAuth() throws for BASE plus these options (fails the test when none is thrown). */
function configError(options: Record<string, unknown>): KakaoAuthConfigError {
  try {
    kakaoAuth({ ...BASE, ...options });
  } catch (err) {
    expect(err).toBeInstanceOf(KakaoAuthConfigError);
    return err as KakaoAuthConfigError;
  }
  throw new Error("kakaoAuth() did not throw");
}

beforeEach(() => {
  // The options under test must decide alone: no public origin or app id from the environment.
  vi.stubEnv("AUTH_URL", undefined);
  vi.stubEnv("KAKAO_APP_ID", undefined);
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("kakaoAuth({ allowedOrigins })", () => {
  it('refuses the wildcard "*", naming option "allowedOrigins" and saying to list each origin', () => {
    const err = configError({ allowedOrigins: ["*"] });
    expect(err.option).toBe("allowedOrigins");
    expect(err.code).toBe("ERR_KAKAO_CONFIG");
    expect(err.message).toContain('option "allowedOrigins"');
    expect(err.message).toMatch(/wildcard/i);
    expect(err.message).toMatch(/List each origin exactly/);
  });

  it('refuses a wildcard sub-domain ("https://*.example.com") the same way', () => {
    const err = configError({ allowedOrigins: ["https://*.example.com"] });
    expect(err.message).toContain('option "allowedOrigins"');
    expect(err.message).toMatch(/wildcard/i);
  });

  it('refuses a bare "*" string (not an array), naming the option and showing an array', () => {
    const err = configError({ allowedOrigins: "*" });
    expect(err.option).toBe("allowedOrigins");
    expect(err.message).toContain('option "allowedOrigins"');
    expect(err.message).toContain('allowedOrigins: ["https://app.example.com"]');
  });

  it("refuses one origin given as a string instead of an array, naming the option and showing an array", () => {
    const err = configError({ allowedOrigins: "https://app.example.com" });
    expect(err.message).toContain('option "allowedOrigins"');
    expect(err.message).toMatch(/not an array/);
    expect(err.message).toContain('allowedOrigins: ["https://app.example.com"]');
  });

  it("refuses an origin with a path, naming the option and the bare origin to use instead", () => {
    const err = configError({ allowedOrigins: ["https://app.example.com/app"] });
    expect(err.option).toBe("allowedOrigins");
    expect(err.message).toContain('option "allowedOrigins"');
    expect(err.message).toContain("https://app.example.com/app");
    expect(err.message).toContain('Use "https://app.example.com"');
  });

  it("refuses an origin with a query string, naming the bare origin to use instead", () => {
    const err = configError({ allowedOrigins: ["https://app.example.com?x=1"] });
    expect(err.message).toContain('Use "https://app.example.com"');
  });

  it("refuses a host without a scheme, naming the option and an example origin", () => {
    const err = configError({ allowedOrigins: ["app.example.com"] });
    expect(err.message).toContain('option "allowedOrigins"');
    expect(err.message).toContain("https://app.example.com");
  });

  it("refuses a non-http(s) origin", () => {
    expect(configError({ allowedOrigins: ["ftp://app.example.com"] }).message).toContain('option "allowedOrigins"');
  });

  it("refuses an element that is not a string, without printing it", () => {
    const err = configError({ allowedOrigins: [{ origin: "https://app.example.com" }] });
    expect(err.message).toContain('option "allowedOrigins"');
    expect(err.message).toMatch(/not an origin string/);
  });

  it("accepts exact http(s) origins, with or without a port or a trailing slash", () => {
    expect(() =>
      kakaoAuth({
        ...BASE,
        allowedOrigins: ["https://app.example.com", "http://127.0.0.1:5173", "https://b.example/"],
      }),
    ).not.toThrow();
  });
});

describe("kakaoAuth({ cookie })", () => {
  it('refuses sameSite "none" without a baseURL, naming option "cookie.sameSite", https and the fix', () => {
    const err = configError({ cookie: { sameSite: "none" } });
    expect(err.option).toBe("cookie.sameSite");
    expect(err.message).toContain('option "cookie.sameSite"');
    expect(err.message).toMatch(/https baseURL/);
    expect(err.message).toMatch(/Set baseURL to your https origin/);
  });

  it('refuses sameSite "none" with an http baseURL', () => {
    const err = configError({ baseURL: "http://localhost:3000", cookie: { sameSite: "none" } });
    expect(err.message).toContain('option "cookie.sameSite"');
    expect(err.message).toMatch(/https/);
  });

  it('refuses sameSite "none" when the environment gives an http AUTH_URL', () => {
    vi.stubEnv("AUTH_URL", "http://localhost:3000");
    expect(configError({ cookie: { sameSite: "none" } }).option).toBe("cookie.sameSite");
  });

  it('accepts sameSite "none" with an https baseURL', () => {
    expect(() =>
      kakaoAuth({ ...BASE, baseURL: "https://api.example.com", cookie: { sameSite: "none" } }),
    ).not.toThrow();
  });

  it("refuses an unknown sameSite value, listing the three it takes", () => {
    const err = configError({ cookie: { sameSite: "relaxed" } });
    expect(err.message).toContain('option "cookie.sameSite"');
    expect(err.message).toMatch(/"lax".*"strict".*"none"/);
  });

  it("refuses an unknown cookie key, naming it and the known cookie options", () => {
    const err = configError({ cookie: { secure: false } });
    expect(err.option).toBe("cookie.secure");
    expect(err.message).toContain('option "cookie.secure"');
    expect(err.message).toMatch(/Known cookie options: domain, sameSite/);
  });

  it('refuses a cookie domain that is not a host name, naming option "cookie.domain"', () => {
    const err = configError({ cookie: { domain: "https://example.com/" } });
    expect(err.message).toContain('option "cookie.domain"');
    expect(err.message).toContain("example.com");
  });

  it("refuses a cookie option that is not an object", () => {
    expect(configError({ cookie: "lax" }).message).toContain('option "cookie"');
  });
});

describe("kakaoAuth({ tokenExchange })", () => {
  it('refuses tokenExchange without appId, naming option "tokenExchange", KAKAO_APP_ID and where the id is', () => {
    const err = configError({ tokenExchange: { audiences: ["native-key"] } });
    expect(err.option).toBe("tokenExchange");
    expect(err.message).toContain('option "tokenExchange"');
    expect(err.message).toContain("KAKAO_APP_ID");
    expect(err.message).toMatch(/Set appId/);
    expect(err.message).toMatch(/another app/);
  });

  it("refuses tokenExchange: true without appId too", () => {
    expect(configError({ tokenExchange: true }).option).toBe("tokenExchange");
  });

  it("accepts tokenExchange with appId from the environment (KAKAO_APP_ID)", () => {
    vi.stubEnv("KAKAO_APP_ID", "1234567");
    expect(() => kakaoAuth({ ...BASE, tokenExchange: { audiences: ["native-key"] } })).not.toThrow();
  });

  it('refuses audiences that are not strings, naming option "tokenExchange.audiences" and which keys to list', () => {
    const err = configError({ appId: "1234567", tokenExchange: { audiences: [1234] } });
    expect(err.option).toBe("tokenExchange.audiences");
    expect(err.message).toContain('option "tokenExchange.audiences"');
    expect(err.message).toMatch(/REST API, JavaScript and native app keys/);
  });

  it("refuses audiences given as one string instead of an array", () => {
    const err = configError({ appId: "1234567", tokenExchange: { audiences: "native-key" } });
    expect(err.message).toContain('option "tokenExchange.audiences"');
  });

  it("refuses an empty string among the audiences", () => {
    const err = configError({ appId: "1234567", tokenExchange: { audiences: ["native-key", ""] } });
    expect(err.message).toContain('option "tokenExchange.audiences"');
  });

  it("refuses an unknown tokenExchange key, naming it", () => {
    const err = configError({ appId: "1234567", tokenExchange: { audience: ["native-key"] } });
    expect(err.message).toContain('option "tokenExchange.audience"');
    expect(err.message).toMatch(/Known: audiences/);
  });

  it("accepts tokenExchange with appId and string audiences", () => {
    expect(() =>
      kakaoAuth({ ...BASE, appId: "1234567", tokenExchange: { audiences: ["native-key", "js-key"] } }),
    ).not.toThrow();
  });
});

describe("kakaoAuth() client options errors", () => {
  it("are thrown when kakaoAuth() is called, before any request", () => {
    expect(() => kakaoAuth({ ...BASE, allowedOrigins: ["*"] })).toThrow(KakaoAuthConfigError);
  });

  it("never print the secrets passed alongside", () => {
    for (const options of [{ allowedOrigins: ["*"] }, { cookie: { sameSite: "none" } }, { tokenExchange: true }]) {
      const err = configError(options);
      expect(err.message).not.toContain(SECRET);
      expect(err.message).not.toContain("client-secret");
    }
  });
});
