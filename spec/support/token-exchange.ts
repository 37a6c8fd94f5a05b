import { decodeJwt } from "jose";
import { afterAll, beforeAll, expect } from "vitest";
import type { KakaoAuthOptions, KakaoUser } from "../../lib/index.js";
import type { KakaoEmulator, SignIdTokenOptions } from "../../lib/testing/index.js";
import { buildApp, type SpecAppOptions } from "./app.js";
import { setsSessionCookie } from "./security.js";
import { listen, type Listening } from "./server.js";

/** Where `tokenExchange` mounts the exchange of SDK tokens (DESIGN "Mobile apps and SPAs"). */
export const TOKEN_EXCHANGE_PATH = "/auth/token/kakao";
/** The response header a bearer client gets its renewed or refreshed session token in. */
export const SESSION_TOKEN_HEADER = "kakao-session-token";

/** Signs of a leaked stack trace or source path in a body (as `expectCleanError` looks for them). */
const STACK_TRACE = /\n\s+at\s|node:internal|node_modules|\.[cm]?[jt]s:\d+/;

/** kakaoAuth() options that turn the exchange on for the emulator's native and JavaScript keys. */
export function tokenExchangeOptions(emulator: KakaoEmulator, extra: KakaoAuthOptions = {}): KakaoAuthOptions {
  return {
    appId: emulator.appId,
    tokenExchange: { audiences: [emulator.appKeys.native, emulator.appKeys.javascript] },
    ...extra,
  };
}

/**
 * `useApp` for options that need the started emulator (its app id and keys): `spec` is called with
 * it in `beforeAll`.
 */
export function useAppWith(
  getEmulator: () => KakaoEmulator,
  spec: (emulator: KakaoEmulator) => Omit<SpecAppOptions, "emulator">,
): { readonly url: string } {
  let app: Listening | undefined;
  beforeAll(async () => {
    const emulator = getEmulator();
    app = await listen(buildApp({ ...spec(emulator), emulator }));
  });
  afterAll(async () => app?.close());
  return {
    get url() {
      if (!app) throw new Error("app not started");
      return app.url;
    },
  };
}

export interface ExchangeInit {
  /** Send `fields` as an urlencoded form instead of JSON. */
  form?: boolean;
  /** The `Origin` header (none by default, as a mobile app sends). */
  origin?: string;
  headers?: Record<string, string>;
}

/** `POST {basePath}/token/kakao` with these fields, as JSON (or a form). */
export function postExchange(
  appUrl: string,
  fields: Record<string, string>,
  { form = false, origin, headers = {} }: ExchangeInit = {},
): Promise<Response> {
  return postExchangeRaw(
    appUrl,
    form ? new URLSearchParams(fields).toString() : JSON.stringify(fields),
    form ? "application/x-www-form-urlencoded" : "application/json",
    { ...(origin ? { origin } : {}), ...headers },
  );
}

/** `POST {basePath}/token/kakao` with a body sent exactly as given. */
export function postExchangeRaw(
  appUrl: string,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${appUrl}${TOKEN_EXCHANGE_PATH}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": contentType, accept: "application/json", ...headers },
    body,
  });
}

/** What a successful exchange answers. */
export interface ExchangeAnswer {
  user: KakaoUser;
  sessionToken: string;
  expiresAt: string;
}

/** Checks the exchange succeeded (200 JSON) and returns its body. */
export async function expectExchanged(res: Response): Promise<ExchangeAnswer> {
  const text = await res.text();
  expect(res.status, `the exchange answered ${res.status} ${text}`).toBe(200);
  return JSON.parse(text) as ExchangeAnswer;
}

/**
 * A refused exchange: this status and `error` code with a readable description, no session
 * (no session cookie, no `Kakao-Session-Token`), no stack trace, and none of `leaks` (the tokens
 * presented, the app's secrets) anywhere in the body or headers.
 */
export async function expectRefused(
  res: Response,
  expected: { status: number; error: string },
  leaks: string[],
): Promise<{ error: string; error_description: string }> {
  const text = await res.text();
  expect(res.status, `answered ${res.status} ${text}`).toBe(expected.status);
  expect(setsSessionCookie(res), "a refused exchange set a session cookie").toBe(false);
  expect(res.headers.get(SESSION_TOKEN_HEADER), "a refused exchange handed out a session token").toBeNull();
  expect(text).not.toMatch(STACK_TRACE);
  const headers = headerText(res);
  for (const leak of leaks.filter((l) => l.length >= 8)) {
    expect(text, "the refusal echoes a token or a secret").not.toContain(leak);
    expect(headers, "a header of the refusal echoes a token or a secret").not.toContain(leak);
  }
  const body = JSON.parse(text) as { error: string; error_description?: string; message?: string };
  expect(body.error).toBe(expected.error);
  // The OAuth-style `error_description` (RFC 6750 §3), or the `message` of the body reader's errors.
  const readable = body.error_description ?? body.message;
  expect(readable, "the refusal says what went wrong").toEqual(expect.any(String));
  return { error: body.error, error_description: readable! };
}

/** A fresh nonce, as an SDK login would pass one (unique per call, so replay checks never collide). */
export function newNonce(): string {
  return `nonce-${crypto.randomUUID()}`;
}

/**
 * The claims of a genuine id_token re-signed by the emulator with these options (alg none, a key
 * outside the JWKS, HS256 keyed with the public key…), optionally with claims changed.
 */
export function reSigned(
  emulator: KakaoEmulator,
  idToken: string,
  opts: SignIdTokenOptions,
  claims: Record<string, unknown> = {},
): Promise<string> {
  return emulator.signIdToken({ ...decodeJwt(idToken), ...claims }, opts);
}

/** The requests the emulator has seen to Kakao's token-info API so far. */
export function tokenInfoCalls(emulator: KakaoEmulator): number {
  return emulator.requestsTo("/v1/user/access_token_info").length;
}

/** A response's headers as `name: value` lines, to look for leaked values in. */
export function headerText(res: Response): string {
  const lines: string[] = [];
  res.headers.forEach((value, name) => lines.push(`${name}: ${value}`));
  return lines.join("\n");
}
