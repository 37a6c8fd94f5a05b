import { describe, expect, it } from "vitest";
import { EXPRESS_MAJORS } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import { rawRequest } from "../support/raw-http.js";
import { secretsOf, SESSION_COOKIE_NAME, useApp } from "../support/security.js";

/** Host values Node's WHATWG URL parser refuses: a port past 65535, a broken IPv6 literal, invalid punycode. */
const INVALID_HOSTS = ["app.example:99999", "[1:2:3]", "app.example:65536", "xn--a.example", "xn--.example"];

/** The routes that, without `baseURL`, build the app's origin from the request's Host. */
const ROUTES = [
  "/auth/signin/kakao",
  "/auth/csrf",
  "/auth/providers",
  "/auth/callback/kakao?code=x&state=y",
  "/auth/session",
];

/** Signs of a leaked stack trace or source path in a body. */
const STACK_TRACE = /\n\s+at\s|node:internal|node_modules|\.[cm]?[jt]s:\d+/;

const cases = INVALID_HOSTS.flatMap((host) => ROUTES.map((route) => [route, host] as const));

describe("the invalid Host values used below", () => {
  it.each(INVALID_HOSTS)("%s is refused by Node's URL parser", (host) => {
    expect(() => new URL(`http://${host}/auth`)).toThrow(TypeError);
  });
});

describe.each(EXPRESS_MAJORS)("a request with an invalid Host header and no baseURL on Express %i", (major) => {
  const emu = useEmulator();
  const app = useApp(emu.get, { express: major });
  expectNoServerErrorsAfterEach();

  it.each(cases)("GET %s with Host %s answers 400 with a JSON error", async (route, host) => {
    const res = await rawRequest(`${app.url}${route}`, { headers: { host, accept: "application/json" } });
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toMatchObject({ error: expect.any(String) as unknown });
  });

  it.each(cases)("GET %s with Host %s answers no 5xx, no stack trace, no secret, no session", async (route, host) => {
    const res = await rawRequest(`${app.url}${route}`, { headers: { host, accept: "application/json" } });
    expect(res.status).toBeLessThan(500);
    expect(res.body).not.toMatch(STACK_TRACE);
    for (const secret of secretsOf(emu.get())) expect(res.body).not.toContain(secret);
    expect((res.headers["set-cookie"] ?? []).some((c) => c.startsWith(`${SESSION_COOKIE_NAME}=`))).toBe(false);
  });

  it("still sends a request whose Host is the app's own 127.0.0.1:<port> to Kakao with that origin", async () => {
    const host = new URL(app.url).host;
    const res = await rawRequest(`${app.url}/auth/signin/kakao`, { headers: { host } });
    expect(res.status).toBe(302);
    const authorize = new URL(String(res.headers.location));
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${emu.get().url}/oauth/authorize`);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`http://${host}/auth/callback/kakao`);
  });
});
