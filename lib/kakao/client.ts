import { createHash } from "node:crypto";
import type { JWTVerifyGetKey } from "jose";
import { KakaoApiError, KakaoAuthError } from "../errors.js";
import { timedFetch } from "../http/timed-fetch.js";
import { log } from "../log.js";
import type { KakaoTokens } from "../types.js";
import { kakaoApiErrorFrom, kakaoUnreachable } from "./api-errors.js";
import { kakaoJWKS } from "./jwks.js";
import { isDeadRefreshAnswer, kakaoOAuthError } from "./oauth-errors.js";
import { parseKakaoProfileJSON, toKakaoProfile, type KakaoProfile } from "./profile.js";

/** Refresh when the access token expires within this many seconds (DESIGN: "within a minute"). */
export const REFRESH_MARGIN_S = 60;

/**
 * How long a finished refresh still answers requests that present the same old tokens: a browser's
 * parallel requests that left before the rewritten cookie arrived carry the old refresh token, which
 * Kakao has just killed (KOE322) or would refresh a second time (security-tests RT-01).
 */
const RECENT_REFRESH_MS = 30_000;

/**
 * Kakao rotates a refresh token only when less than a month of its two months is left
 * (kakao-api.md §3.5): only then can another instance's refresh have killed ours.
 */
const ROTATION_WINDOW_S = 31 * 24 * 60 * 60;

/**
 * After a refusal that may be a lost race with another instance, how long the same refresh token
 * is answered "retry" instead of ending the session: long enough for the browser's in-flight
 * requests to land and pick up the winner's cookie.
 */
const RACE_GRACE_MS = 10_000;

/** How long an access-token check is reused (per token hash). */
const TOKEN_INFO_CACHE_MS = 60_000;

/** What Kakao says about an access token. */
export interface AccessTokenInfo {
  userId: string;
  /** The app the token was issued to (compare with this app's id: substitution attack). */
  appId: string;
  /** Seconds left. */
  expiresIn: number;
}

export interface KakaoClientOptions {
  clientId: string;
  clientSecret: string | undefined;
  authOrigin: string;
  apiOrigin: string;
  /** Milliseconds per call to Kakao. */
  timeout: number;
}

const sha256 = (s: string): string => createHash("sha256").update(s).digest("base64url");

/** The outcome of a refused refresh: the session is over, or the request should be retried. */
export type RefreshRefusal = "dead" | "retry";

/**
 * The one Kakao client: token refresh (single-flight), API calls with error mapping, the user's
 * profile with exact ids, and the JWKS. Used by the Auth.js provider and by `req.kakao` alike.
 */
export class KakaoClient {
  readonly options: KakaoClientOptions;
  readonly fetch: typeof fetch;
  readonly jwks: JWTVerifyGetKey;
  /**
   * One refresh in flight per refresh token: Kakao rotates refresh tokens and a rotated one kills
   * the old (kakao-api.md §3.5, §10.7), so two parallel refreshes would log the user out.
   */
  readonly #inflight = new Map<string, Promise<KakaoTokens>>();
  /**
   * Refusals per refresh-token hash: when the first came, and Kakao's answer. Within the grace
   * period the answer is repeated without asking Kakao again (the token cannot have come back).
   */
  readonly #refused = new Map<string, { at: number; error: Error }>();
  readonly #tokenInfo = new Map<string, { until: number; answer: Promise<AccessTokenInfo> }>();

  /** Shares one refresh across instances (with `redis`); otherwise refreshes in this process. */
  coordinator: { refresh(tokens: KakaoTokens, refresh: () => Promise<KakaoTokens>): Promise<KakaoTokens> } | undefined;

  constructor(options: KakaoClientOptions) {
    this.options = options;
    this.fetch = timedFetch(options.timeout);
    this.jwks = kakaoJWKS(`${options.authOrigin}/.well-known/jwks.json`, this.fetch);
  }

  /** A fetch whose failure (timeout, network) becomes a `KakaoApiError` with kakaoCode 0. */
  async #send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetch(url, init);
    } catch (err) {
      throw kakaoUnreachable(err, new URL(url).pathname, this.options.timeout);
    }
  }

  async #requestRefresh(tokens: KakaoTokens): Promise<KakaoTokens> {
    const { clientId, clientSecret, authOrigin } = this.options;
    if (!tokens.refreshToken)
      throw kakaoOAuthError(
        400,
        { error: "invalid_grant", error_code: "KOE319", error_description: "no refresh token in the session" },
        { code: "ERR_KAKAO_REFRESH_TOKEN_DEAD" },
      );
    const body = new URLSearchParams({
      grant_type: "refresh_token",
      client_id: clientId,
      refresh_token: tokens.refreshToken,
    });
    if (clientSecret) body.set("client_secret", clientSecret);
    let res: Response;
    try {
      res = await this.#send(`${authOrigin}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8" },
        body,
      });
    } catch (err) {
      throw kakaoOAuthError(
        undefined,
        { error: "temporarily_unavailable", error_description: (err as Error).message },
        { timedOut: (err as KakaoApiError).status === 504 },
      );
    }
    let json: Record<string, unknown> | undefined;
    try {
      json = (await res.json()) as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    if (!res.ok || !json || typeof json.access_token !== "string") {
      const err = kakaoOAuthError(
        res.status,
        json ?? { error: "invalid_response", error_description: "refresh response is not JSON" },
        { clientId },
      );
      throw isDeadRefreshAnswer(err)
        ? kakaoOAuthError(res.status, json, { clientId, code: "ERR_KAKAO_REFRESH_TOKEN_DEAD" })
        : err;
    }
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
  refresh(tokens: KakaoTokens): Promise<KakaoTokens> {
    const key = sha256(tokens.refreshToken ?? tokens.accessToken);
    const refused = this.#refused.get(key);
    if (refused && Date.now() - refused.at < RACE_GRACE_MS) return Promise.reject(refused.error);
    let p = this.#inflight.get(key);
    if (!p) {
      const refresh = this.coordinator
        ? this.coordinator.refresh(tokens, () => this.#requestRefresh(tokens))
        : this.#requestRefresh(tokens);
      const forget = () => {
        if (this.#inflight.get(key) === refresh) this.#inflight.delete(key);
      };
      // Registered before any caller's handlers, so the refusal is on record when they look.
      refresh.then(
        () => setTimeout(forget, RECENT_REFRESH_MS).unref(),
        (err: unknown) => {
          forget();
          const code = (err as { code?: unknown }).code;
          if (code === "ERR_KAKAO_REFRESH_TOKEN_DEAD" && !this.#refused.has(key)) {
            if (this.#refused.size > 10_000) this.#refused.clear();
            this.#refused.set(key, { at: Date.now(), error: err as Error });
          }
        },
      );
      this.#inflight.set(key, refresh);
      p = refresh;
    }
    return p;
  }

  /**
   * Whether a refused refresh ends the session. A refresh token that expired, or had more than a
   * month left (Kakao would not have rotated it), is dead. One inside the rotation window may have
   * been rotated by another instance a moment ago, whose answer carries the new tokens to the
   * browser: that request is told to retry for a short grace period instead of clearing the
   * cookie the winner just wrote (issue: two instances, one refresh).
   */
  refusal(tokens: KakaoTokens, nowMs = Date.now()): RefreshRefusal {
    const rtExpiry = tokens.refreshTokenExpiresAt;
    const nowS = Math.floor(nowMs / 1000);
    if (!tokens.refreshToken || (rtExpiry !== undefined && (rtExpiry <= nowS || rtExpiry - nowS > ROTATION_WINDOW_S)))
      return "dead";
    const first = this.#refused.get(sha256(tokens.refreshToken))?.at ?? nowMs;
    return nowMs - first < RACE_GRACE_MS ? "retry" : "dead";
  }

  /** Calls a Kakao API with a user token; non-2xx answers become `KakaoApiError`. Ids stay exact. */
  async api<T>(accessToken: string, path: string, init: RequestInit = {}): Promise<T> {
    if (!path.startsWith("/") || path.startsWith("//"))
      throw new KakaoAuthError(
        "ERR_KAKAO_API_PATH",
        `req.kakao.api(path): path must start with "/", e.g. "/v2/user/me"; got ${JSON.stringify(path.slice(0, 80))}`,
      );
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${accessToken}`);
    if (init.body && !headers.has("content-type"))
      headers.set("content-type", "application/x-www-form-urlencoded;charset=utf-8");
    const res = await this.#send(`${this.options.apiOrigin}${path}`, { ...init, headers });
    const text = await res.text();
    if (!res.ok) throw kakaoApiErrorFrom(res.status, text, path.split("?")[0] ?? path);
    if (text === "") return undefined as T;
    try {
      return parseKakaoProfileJSON(text) as T;
    } catch {
      throw new KakaoApiError({
        kakaoCode: -1,
        kakaoStatus: res.status,
        message: `Kakao API ${path} answered with invalid JSON.`,
      });
    }
  }

  /** `/v2/user/me` with the exact id (kakao-api.md §4.2, §10.1). */
  async profile(accessToken: string): Promise<KakaoProfile> {
    const raw = await this.api<unknown>(accessToken, "/v2/user/me?secure_resource=true");
    try {
      return toKakaoProfile(raw);
    } catch (err) {
      throw new KakaoAuthError(
        "ERR_KAKAO_PROFILE",
        `Kakao /v2/user/me answered an unusable profile: ${(err as Error).message}`,
      );
    }
  }

  /**
   * `GET /v1/user/access_token_info` (kakao-api.md §5.1): whose token this is, for which app, and
   * for how long. Answers are cached for a minute per token hash, so a client replaying one token
   * cannot make us call Kakao on every request; refusals are cached too.
   */
  async tokenInfo(accessToken: string): Promise<AccessTokenInfo> {
    const key = sha256(accessToken);
    const now = Date.now();
    const cached = this.#tokenInfo.get(key);
    if (cached && cached.until > now) return cached.answer;
    const answer = this.api<{ id?: unknown; app_id?: unknown; expires_in?: unknown }>(
      accessToken,
      "/v1/user/access_token_info",
    ).then((body) => {
      const id = typeof body?.id === "string" || typeof body?.id === "number" ? String(body.id) : "";
      if (!/^\d{1,20}$/.test(id))
        throw new KakaoApiError({ kakaoCode: -1, kakaoStatus: 200, message: "Kakao token info has no user id." });
      return {
        userId: id,
        appId: typeof body.app_id === "number" || typeof body.app_id === "string" ? String(body.app_id) : "",
        expiresIn: typeof body.expires_in === "number" ? body.expires_in : 0,
      };
    });
    // A failure caused by Kakao being down is not remembered; a refusal (-401) is.
    answer.catch((err: unknown) => {
      if ((err as { code?: unknown }).code === "ERR_KAKAO_UNAVAILABLE") this.#tokenInfo.delete(key);
    });
    if (this.#tokenInfo.size >= 10_000) this.#tokenInfo.clear();
    this.#tokenInfo.set(key, { until: now + TOKEN_INFO_CACHE_MS, answer });
    return answer;
  }

  /** `POST /v1/user/logout` with the user's token: expires that token and its refresh token. */
  async logoutToken(accessToken: string): Promise<void> {
    await this.api(accessToken, "/v1/user/logout", { method: "POST" });
  }
}
