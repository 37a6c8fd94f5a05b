import type { KakaoUser } from "../../lib/index.js";
import type { KakaoEmulator, SdkLoginApp } from "../../lib/testing/index.js";
import { CookieJar } from "./cookie-jar.js";
import { expectExchanged, postExchange } from "./token-exchange.js";

/** A mobile app's session after `POST {basePath}/token/kakao`: its bearer token and the cookie jar. */
export interface SdkSession {
  userId: string;
  sessionToken: string;
  expiresAt: string;
  /** The session cookie the exchange also set. */
  jar: CookieJar;
}

/** Logs `userId` in with Kakao's SDK (emulated) and exchanges the access token for a session. */
export async function signInWithSdk(
  appUrl: string,
  emulator: KakaoEmulator,
  userId: string,
  app: SdkLoginApp = "native",
): Promise<SdkSession> {
  const { accessToken } = await emulator.sdkLogin(userId, { app });
  const res = await postExchange(appUrl, { access_token: accessToken });
  const jar = new CookieJar().take(res);
  const { sessionToken, expiresAt } = await expectExchanged(res);
  return { userId, sessionToken, expiresAt, jar };
}

/** `Authorization: Bearer <token>`. */
export function bearerHeader(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** What `/whoami` of the fixture app answered to a request carrying `Authorization` (and the response). */
export async function whoamiWithBearer(
  appUrl: string,
  authorization: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; user: KakaoUser | null; res: Response }> {
  const res = await fetch(`${appUrl}/whoami`, {
    headers: { accept: "application/json", authorization, ...headers },
  });
  const text = await res.text();
  const user = res.status === 200 ? (JSON.parse(text) as { user: KakaoUser | null }).user : null;
  return { status: res.status, user, res };
}

/** `GET /me` (behind requireKakaoUser) with this bearer token and Accept header, not following redirects. */
export function guardedWithBearer(appUrl: string, token: string, accept = "application/json"): Promise<Response> {
  return fetch(`${appUrl}/me`, { redirect: "manual", headers: { accept, ...bearerHeader(token) } });
}

/** The same JWE session token with one character in the middle of its ciphertext changed (all five parts kept). */
export function withOneCharChanged(token: string): string {
  const parts = token.split(".");
  const i = parts.length - 2;
  const part = parts[i] ?? "";
  const at = Math.floor(part.length / 2);
  parts[i] = `${part.slice(0, at)}${part[at] === "A" ? "B" : "A"}${part.slice(at + 1)}`;
  return parts.join(".");
}
