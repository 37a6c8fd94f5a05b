import { KakaoApiError, KakaoAuthError } from "./errors.js";
import { kakaoApiErrorFrom } from "./kakao-api-errors.js";
import { log } from "./log.js";
import { timedFetch } from "./timed-fetch.js";
import { kakaoOAuthError } from "./oauth-errors.js";
import { parseKakaoProfileJSON } from "./profile.js";
import type { Runtime } from "./runtime.js";
import type { KakaoTokens } from "./types.js";

/** Refresh when the access token expires within this many seconds (DESIGN: "within a minute"). */
export const REFRESH_MARGIN_S = 60;

/**
 * One refresh in flight per refresh token in this process: Kakao rotates refresh tokens and a
 * rotated one kills the old (kakao-api.md §3.5, §10.7), so two parallel refreshes would log the
 * user out.
 */
const inflight = new Map<string, Promise<KakaoTokens>>();

/**
 * How long a finished refresh still answers requests that present the same old tokens: a browser's
 * parallel requests that left before the rewritten cookie arrived carry the old refresh token, which
 * Kakao has just killed (KOE322) or would refresh a second time (security-tests RT-01).
 */
const RECENT_REFRESH_MS = 30_000;

async function fetchKakao(runtime: Runtime, url: string, init: RequestInit): Promise<Response> {
  try {
    return await timedFetch(runtime.config.timeout)(url, init);
  } catch (err) {
    const reason = (err as Error).name === "TimeoutError" ? `timed out after ${runtime.config.timeout} ms` : "failed";
    throw new KakaoApiError({
      kakaoCode: 0,
      status: 0,
      message: `Request to Kakao ${new URL(url).pathname} ${reason}.`,
    });
  }
}

async function requestRefresh(runtime: Runtime, tokens: KakaoTokens): Promise<KakaoTokens> {
  const { config } = runtime;
  if (!tokens.refreshToken)
    throw kakaoOAuthError(400, {
      error: "invalid_grant",
      error_code: "KOE319",
      error_description: "no refresh token in the session",
    });
  const body = new URLSearchParams({
    grant_type: "refresh_token",
    client_id: config.clientId,
    refresh_token: tokens.refreshToken,
  });
  if (config.clientSecret) body.set("client_secret", config.clientSecret);
  let res: Response;
  try {
    res = await fetchKakao(runtime, `${config.authOrigin}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8" },
      body,
    });
  } catch (err) {
    throw kakaoOAuthError(undefined, { error: "temporarily_unavailable", error_description: (err as Error).message });
  }
  let json: Record<string, unknown> | undefined;
  try {
    json = (await res.json()) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  if (!res.ok || !json || typeof json.access_token !== "string")
    throw kakaoOAuthError(
      res.status,
      json ?? { error: "invalid_response", error_description: "refresh response is not JSON" },
      { clientId: config.clientId },
    );
  const now = Math.floor(Date.now() / 1000);
  const next: KakaoTokens = {
    ...tokens,
    accessToken: json.access_token,
    expiresAt: now + (typeof json.expires_in === "number" ? json.expires_in : 21599),
  };
  // Kakao returns a new refresh token only when less than a month is left; the old one then dies.
  if (typeof json.refresh_token === "string") {
    next.refreshToken = json.refresh_token;
    if (typeof json.refresh_token_expires_in === "number")
      next.refreshTokenExpiresAt = now + json.refresh_token_expires_in;
  }
  log.api("refreshed access token (refresh token %s)", typeof json.refresh_token === "string" ? "rotated" : "kept");
  return next;
}

/** Refreshes once per refresh token even when many requests ask at the same moment. */
export function refreshTokens(runtime: Runtime, tokens: KakaoTokens): Promise<KakaoTokens> {
  const key = tokens.refreshToken ?? tokens.accessToken;
  let p = inflight.get(key);
  if (!p) {
    const refresh = requestRefresh(runtime, tokens);
    const forget = () => {
      if (inflight.get(key) === refresh) inflight.delete(key);
    };
    refresh.then(() => setTimeout(forget, RECENT_REFRESH_MS).unref(), forget);
    inflight.set(key, refresh);
    p = refresh;
  }
  return p;
}

/** Calls a Kakao API with a user token; non-2xx answers become `KakaoApiError`. Ids stay exact. */
export async function callKakaoApi<T>(
  runtime: Runtime,
  accessToken: string,
  path: string,
  init: RequestInit = {},
): Promise<T> {
  if (!path.startsWith("/") || path.startsWith("//"))
    throw new KakaoAuthError(
      "ERR_KAKAO_API_PATH",
      `req.kakao.api(path): path must start with "/", e.g. "/v2/user/me"; got ${JSON.stringify(path.slice(0, 80))}`,
    );
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${accessToken}`);
  if (init.body && !headers.has("content-type"))
    headers.set("content-type", "application/x-www-form-urlencoded;charset=utf-8");
  const res = await fetchKakao(runtime, `${runtime.config.apiOrigin}${path}`, { ...init, headers });
  const text = await res.text();
  if (!res.ok) throw kakaoApiErrorFrom(res.status, text, path.split("?")[0] ?? path);
  if (text === "") return undefined as T;
  try {
    return parseKakaoProfileJSON(text) as T;
  } catch {
    throw new KakaoApiError({
      kakaoCode: -1,
      status: res.status,
      message: `Kakao API ${path} answered with invalid JSON.`,
    });
  }
}

/** `POST /v1/user/logout` with the user's token: expires that token and its refresh token. */
export async function kakaoLogoutToken(runtime: Runtime, accessToken: string): Promise<void> {
  await callKakaoApi(runtime, accessToken, "/v1/user/logout", { method: "POST" });
}
