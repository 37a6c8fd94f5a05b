/** Full sign-in flows through the emulator, driven over HTTP like a browser that follows redirects by hand. */

import { cookieHeader, mergeCookies } from "./serve.js";

type Jar = Map<string, string>;
const FLOW_TIMEOUT_MS = 10_000;

const take = mergeCookies;
const header = cookieHeader;

async function get(url: string, jar: Jar, signal: AbortSignal): Promise<Response> {
  const res = await fetch(url, { redirect: "manual", headers: { cookie: header(jar) }, signal });
  take(jar, res);
  await res.arrayBuffer();
  return res;
}

function location(res: Response, step: string): string {
  const to = res.headers.get("location");
  if (res.status !== 302 || !to) throw new Error(`${step} answered ${res.status}`);
  return to;
}

/** Follows Kakao's authorize (auto-consent) to the app's callback; returns the callback's ms, throws unless signed in. */
async function finish(app: string, authorize: string, jar: Jar, signal: AbortSignal): Promise<number> {
  const consent = await fetch(authorize, { redirect: "manual", signal });
  await consent.arrayBuffer();
  const callback = new URL(location(consent, "emulator authorize"), app).href;
  const t0 = performance.now();
  const done = await get(callback, jar, signal);
  const ms = performance.now() - t0;
  const landed = location(done, "callback");
  if (landed.includes("/error") || !jar.has("authjs.session-token"))
    throw new Error(`callback did not sign in (→ ${landed})`);
  return ms;
}

/** This package: `GET /auth/signin/kakao` starts the login directly. */
export async function kakaoFlow(app: string, signal: AbortSignal): Promise<number> {
  const jar: Jar = new Map();
  const start = await get(`${app}/auth/signin/kakao?login_hint=4000000001`, jar, signal);
  return finish(app, location(start, "signin"), jar, signal);
}

/** @auth/express: CSRF token from `/auth/csrf`, then `POST /auth/signin/kakao`. */
export async function authjsFlow(app: string, signal: AbortSignal): Promise<number> {
  const jar: Jar = new Map();
  const csrfRes = await fetch(`${app}/auth/csrf`, { signal });
  take(jar, csrfRes);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const start = await fetch(`${app}/auth/signin/kakao`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: header(jar), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, callbackUrl: `${app}/` }),
    signal,
  });
  take(jar, start);
  await start.arrayBuffer();
  return finish(app, location(start, "signin POST"), jar, signal);
}

export interface FlowResult {
  flows: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: string[];
}

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/** Runs `total` flows with `inFlight` at a time, bounded by `deadlineMs` (and stops after 10 errors). */
export async function runFlows(
  flow: (app: string, signal: AbortSignal) => Promise<number>,
  app: string,
  o: { total: number; inFlight: number; deadlineMs: number },
): Promise<FlowResult> {
  const errors: string[] = [];
  const once = async (times: number[]) => {
    try {
      times.push(await flow(app, AbortSignal.timeout(FLOW_TIMEOUT_MS)));
    } catch (err) {
      errors.push((err as Error).message);
    }
  };
  const times: number[] = [];
  let next = 0;
  const deadline = Date.now() + o.deadlineMs;
  const t0 = performance.now();
  const worker = async () => {
    while (next < o.total && Date.now() < deadline && errors.length < 10) {
      next++;
      await once(times);
    }
  };
  await Promise.all(Array.from({ length: o.inFlight }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const sorted = [...times].sort((a, b) => a - b);
  if (next < o.total) errors.push(`only ${times.length}/${o.total} flows completed within ${o.deadlineMs} ms`);
  return { flows: times.length, perSecond: times.length / seconds, p50: pct(sorted, 50), p99: pct(sorted, 99), errors };
}

/** A mobile app's sign-in: Kakao's SDK already logged in; its id_token is exchanged for a session. */
export async function exchangeFlow(
  app: string,
  signal: AbortSignal,
  sdk: { idToken: string; nonce: string },
): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${app}/auth/token/kakao`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id_token: sdk.idToken, nonce: sdk.nonce }),
    signal,
  });
  const body = (await res.json()) as { sessionToken?: string };
  const ms = performance.now() - t0;
  if (res.status !== 200 || !body.sessionToken) throw new Error(`token exchange answered ${res.status}`);
  return ms;
}
