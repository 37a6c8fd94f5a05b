import { createHash, randomBytes } from "node:crypto";
import type { KakaoEmulator } from "../../lib/testing/emulator/index.js";

export const REDIRECT = "http://127.0.0.1:3999/auth/callback/kakao";

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** GET /oauth/authorize without following the redirect. */
export async function authorize(emu: KakaoEmulator, params: Record<string, string> = {}): Promise<Response> {
  const q = new URLSearchParams({ client_id: emu.clientId, redirect_uri: REDIRECT, response_type: "code", ...params });
  return fetch(`${emu.url}/oauth/authorize?${q.toString()}`, { redirect: "manual" });
}

/** The redirect target of an authorize answer, as a URL. */
export function location(res: Response): URL {
  const loc = res.headers.get("location");
  if (!loc) throw new Error(`no Location header (status ${res.status})`);
  return new URL(loc);
}

/** Authorize and return the code. */
export async function getCode(emu: KakaoEmulator, params: Record<string, string> = {}): Promise<string> {
  const res = await authorize(emu, params);
  const code = location(res).searchParams.get("code");
  if (!code) throw new Error(`no code in ${res.headers.get("location") ?? ""}`);
  return code;
}

export async function postForm(
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded;charset=utf-8", ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
}

/** POST /oauth/token for a code with the emulator's credentials (plus/overriding `extra`). */
export async function exchange(
  emu: KakaoEmulator,
  code: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  const fields: Record<string, string> = {
    grant_type: "authorization_code",
    client_id: emu.clientId,
    redirect_uri: REDIRECT,
    code,
    ...(emu.clientSecret === null ? {} : { client_secret: emu.clientSecret }),
    ...extra,
  };
  return postForm(`${emu.url}/oauth/token`, fields);
}

export async function refresh(emu: KakaoEmulator, refreshToken: string): Promise<Response> {
  return postForm(`${emu.url}/oauth/token`, {
    grant_type: "refresh_token",
    client_id: emu.clientId,
    refresh_token: refreshToken,
    ...(emu.clientSecret === null ? {} : { client_secret: emu.clientSecret }),
  });
}

export interface TokenBody {
  access_token: string;
  token_type: string;
  refresh_token?: string;
  id_token?: string;
  expires_in: number;
  scope?: string;
  refresh_token_expires_in?: number;
}

/** Full login (authorize + exchange) → token response body. */
export async function login(emu: KakaoEmulator, params: Record<string, string> = {}): Promise<TokenBody> {
  const code = await getCode(emu, params);
  const res = await exchange(emu, code);
  if (res.status !== 200) throw new Error(`token exchange failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as TokenBody;
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}
