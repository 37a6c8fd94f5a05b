import { parse as parseCookieHeader, parseSetCookie, type SetCookie } from "cookie";
import type { KakaoUser } from "../../lib/index.js";
import { CookieJar } from "./cookie-jar.js";
import { listen, type Listening } from "./server.js";

/** What `/whoami` of the fixture app answered for a Cookie header. */
export interface WhoamiAnswer {
  status: number;
  user: KakaoUser | null;
  setCookies: SetCookie[];
}

/** GET `/whoami` with this Cookie header (none when empty). */
export async function whoamiWith(appUrl: string, cookie = ""): Promise<WhoamiAnswer> {
  const res = await fetch(`${appUrl}/whoami`, {
    headers: cookie ? { cookie, accept: "application/json" } : { accept: "application/json" },
  });
  const setCookies = res.headers.getSetCookie().map((line) => parseSetCookie(line));
  const text = await res.text();
  const user = res.status === 200 ? (JSON.parse(text) as { user: KakaoUser | null }).user : null;
  return { status: res.status, user, setCookies };
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string, name: string): string | undefined {
  return parseCookieHeader(header)[name];
}

/** The Cookie header with `name` set to `value` (added when absent). */
export function withCookie(header: string, name: string, value: string): string {
  const jar = new Map(Object.entries(parseCookieHeader(header)));
  jar.set(name, value);
  return [...jar].map(([k, v]) => `${k}=${v ?? ""}`).join("; ");
}

/** The Cookie header a browser sends after applying these Set-Cookie answers (empty or Max-Age=0 deletes). */
export function applySetCookies(header: string, setCookies: SetCookie[]): string {
  const jar = new Map(Object.entries(parseCookieHeader(header)));
  for (const c of setCookies) {
    if (!c.value || c.maxAge === 0 || (c.expires && c.expires.getTime() <= 0)) jar.delete(c.name);
    else jar.set(c.name, c.value);
  }
  return [...jar].map(([k, v]) => `${k}=${v ?? ""}`).join("; ");
}

/** The Set-Cookie line of a response for one cookie name, parsed. */
export function setCookieNamed(res: Response | SetCookie[], name: string): SetCookie | undefined {
  const list = Array.isArray(res) ? res : res.headers.getSetCookie().map((line) => parseSetCookie(line));
  return list.find((c) => c.name === name);
}

/**
 * A full login for an app whose public origin is not the local server: an `https://` baseURL, or
 * `X-Forwarded-Proto: https` behind a trusted proxy (pass it in `headers`, sent with every app
 * request). Kakao's redirect to the public callback URL is replayed against the local server.
 */
export async function signInBehindPublicOrigin(
  app: Listening,
  loginHint: string,
  { basePath = "/auth", headers = {} }: { basePath?: string; headers?: Record<string, string> } = {},
): Promise<{ jar: CookieJar; callback: Response }> {
  const jar = new CookieJar();
  const start = await fetch(`${app.url}${basePath}/signin/kakao?${new URLSearchParams({ login_hint: loginHint })}`, {
    redirect: "manual",
    headers,
  });
  jar.take(start);
  const authorize = start.headers.get("location");
  if (start.status !== 302 || !authorize) throw new Error(`signInBehindPublicOrigin: sign-in answered ${start.status}`);
  const consent = await fetch(authorize, { redirect: "manual" });
  const publicCallback = new URL(consent.headers.get("location") ?? "");
  const local = new URL(`${publicCallback.pathname}${publicCallback.search}`, app.url);
  const callback = await fetch(local, { redirect: "manual", headers: { ...headers, cookie: jar.header() } });
  jar.take(callback);
  if (callback.status !== 302 || (callback.headers.get("location") ?? "").includes("/error"))
    throw new Error(
      `signInBehindPublicOrigin: the callback answered ${callback.status} ${callback.headers.get("location") ?? ""}`,
    );
  return { jar, callback };
}

/** Serves an app on 127.0.0.1 with a larger header limit than Node's default 16 KB. */
export function listenWithHeaderLimit(app: unknown, maxHeaderSize: number): Promise<Listening> {
  return listen(app, { maxHeaderSize });
}

/** Runs `count` tasks with at most `concurrency` in flight; resolves with results in order. */
export async function inBatches<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
