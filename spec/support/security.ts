import { afterAll, beforeAll, expect } from "vitest";
import type { KakaoEmulator } from "../../lib/testing/index.js";
import { buildApp, SECRET, type SpecAppOptions } from "./app.js";
import type { LoginFlow } from "./login-flow.js";
import { listen, type Listening } from "./server.js";

/** The cookie-store session cookie (without `__Secure-`: the specs run on http). */
export const SESSION_COOKIE_NAME = "authjs.session-token";

/** Signs of a leaked stack trace or source path in a page or JSON body. */
const STACK_TRACE = /\n\s+at\s|node:internal|node_modules|\.[cm]?[jt]s:\d+/;

/** Starts the fixture app for the file's specs on 127.0.0.1; `url` is readable inside tests. */
export function useApp(
  getEmulator: () => KakaoEmulator,
  spec: Omit<SpecAppOptions, "emulator"> = {},
): { readonly url: string } {
  let app: Listening | undefined;
  beforeAll(async () => {
    app = await listen(buildApp({ ...spec, emulator: getEmulator() }));
  });
  afterAll(async () => app?.close());
  return {
    get url() {
      if (!app) throw new Error("app not started");
      return app.url;
    },
  };
}

/** Every value that must never reach a browser: the client secret, AUTH_SECRET, the admin key. */
export function secretsOf(emulator: KakaoEmulator): string[] {
  return [emulator.clientSecret, SECRET, emulator.adminKey].filter(
    (s): s is string => typeof s === "string" && s.length > 0,
  );
}

/** True when the response sets (not clears) a session cookie or one of its chunks. */
export function setsSessionCookie(res: Response): boolean {
  return res.headers.getSetCookie().some((line) => {
    const [pair = ""] = line.split(";");
    const i = pair.indexOf("=");
    return pair.slice(0, i).includes(SESSION_COOKIE_NAME) && pair.slice(i + 1).trim() !== "";
  });
}

/** "No session": nothing set by `res` (when given), nothing in the jar, and `/whoami` is anonymous. */
export async function expectNoSession(flow: LoginFlow, res?: Response): Promise<void> {
  if (res) expect(setsSessionCookie(res), "the response set a session cookie").toBe(false);
  expect(flow.hasSession(), "the browser holds a session cookie").toBe(false);
  const whoami = await flow.get("/whoami", { accept: "application/json" });
  expect(whoami.status).toBe(200);
  expect(await whoami.json()).toMatchObject({ user: null, authenticated: false });
}

/** The signed-in user `/whoami` reports for this browser (null when anonymous). */
export async function whoami(flow: LoginFlow): Promise<{ id: string; email?: string; emailVerified: boolean } | null> {
  const res = await flow.get("/whoami", { accept: "application/json" });
  return ((await res.json()) as { user: { id: string; email?: string; emailVerified: boolean } | null }).user;
}

export interface CleanError {
  status: number;
  /** The `error` code of the error page, when the answer redirected there. */
  code?: string;
  /** The text shown to the user: the error page or the 4xx body. */
  body: string;
}

/**
 * "Clean 4xx": a 4xx, or a 302 to `{basePath}/error?error=…` whose page is a 400 HTML page; no
 * stack trace, no secret, no session cookie. Returns what was shown, for further checks.
 */
export async function expectCleanError(
  res: Response,
  appUrl: string,
  secrets: string[],
  basePath = "/auth",
): Promise<CleanError> {
  expect(setsSessionCookie(res), "a failed request set a session cookie").toBe(false);
  let result: CleanError;
  if (res.status === 302 || res.status === 303) {
    const location = res.headers.get("location") ?? "";
    expect(location).toMatch(new RegExp(`^${basePath}/error\\?error=[A-Za-z0-9_]+$`));
    const code = new URL(location, appUrl).searchParams.get("error") ?? undefined;
    const page = await fetch(new URL(location, appUrl), { redirect: "manual" });
    expect(page.status).toBe(400);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    result = { status: res.status, ...(code ? { code } : {}), body: await page.text() };
  } else {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    result = { status: res.status, body: await res.text() };
  }
  expect(result.body).not.toMatch(STACK_TRACE);
  for (const secret of secrets) {
    expect(result.body).not.toContain(secret);
    expect(res.headers.get("location") ?? "").not.toContain(secret);
  }
  return result;
}

/** Decoded length in bits of a base64url string (an upper bound on its entropy). */
export function base64urlBits(value: string): number {
  return Buffer.from(value, "base64url").length * 8;
}

/**
 * Starts sign-in with a raw query (repeated parameters, unusual encodings), like `LoginFlow.start`.
 * Pairs are encoded with URLSearchParams; a string is sent as is.
 */
export async function startSignIn(flow: LoginFlow, query: string | [string, string][]): Promise<Response> {
  const qs = typeof query === "string" ? query : new URLSearchParams(query).toString();
  const res = await fetch(`${flow.appUrl}${flow.basePath}/signin/kakao${qs ? `?${qs}` : ""}`, { redirect: "manual" });
  flow.jar.take(res);
  const location = res.headers.get("location");
  if (location) flow.authorizeUrl = new URL(location);
  return res;
}
