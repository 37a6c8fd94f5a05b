import { inspect } from "node:util";
import type { Request, Response } from "express";
import {
  isKakaoAuthError,
  KakaoApiError,
  KakaoAuthConfigError,
  KakaoAuthError,
  KakaoOAuthError,
  KakaoSessionStoreError,
} from "./errors.js";
import type { KakaoAuthInstance } from "./instance.js";
import { REFRESH_MARGIN_S } from "./kakao/client.js";
import { isDeadRefreshAnswer } from "./kakao/oauth-errors.js";
import { log } from "./log.js";
import { withTimeout } from "./redis/adapter.js";
import type { KakaoSessionInfo } from "./session/registry.js";
import type { RequestState } from "./session/request-state.js";
import { revokeKakaoUser } from "./session/revocation.js";
import type { KakaoRequestContext, KakaoTokens, SignInUrlOptions } from "./types.js";

/** A registry call whose Redis failed is the session store being down (503 with kakaoErrorHandler). */
function registryCall<T>(work: Promise<T>): Promise<T> {
  // One bound for the whole call (several Redis round trips), not one per round trip.
  return withTimeout(work).catch((err: unknown) => {
    if (isKakaoAuthError(err)) throw err;
    throw new KakaoSessionStoreError(`The session registry (Redis) is unavailable: ${(err as Error).message}`, {
      cause: err,
    });
  });
}

function notSignedIn(): KakaoAuthError {
  return new KakaoAuthError("ERR_KAKAO_NOT_SIGNED_IN", "No Kakao user is signed in on this request.", {
    status: 401,
  });
}

/**
 * `req.kakao`: one per request; methods live on the prototype so creating it costs one object.
 * The instance (config, secrets) and the session state (tokens) are private fields: nothing secret
 * is reachable from `req` by `JSON.stringify`, `util.inspect` or enumeration.
 */
export class KakaoContext implements KakaoRequestContext {
  /** Set when a `prompt=none` sign-in just came back without a user (`consent_required`, `login_required`). */
  silentSignInError: string | undefined;
  readonly #instance: KakaoAuthInstance;
  readonly #state: RequestState;
  readonly #req: Request;
  readonly #res: Response;

  constructor(req: Request, res: Response, instance: KakaoAuthInstance, state: RequestState) {
    this.#req = req;
    this.#res = res;
    this.#instance = instance;
    this.#state = state;
  }

  /** The instance and state behind this request's `req.kakao`, for the package's own routes and guards. */
  static internals(value: unknown): { instance: KakaoAuthInstance; state: RequestState } | undefined {
    if (typeof value !== "object" || value === null || !(#instance in value)) return undefined;
    return { instance: value.#instance, state: value.#state };
  }

  isAuthenticated(): boolean {
    return this.#state.session !== undefined;
  }

  async #refreshed(tokens: KakaoTokens): Promise<KakaoTokens> {
    const session = this.#state.session;
    if (!session) throw notSignedIn();
    let next: KakaoTokens;
    try {
      next = await this.#instance.client.refresh(tokens);
    } catch (err) {
      if (!(err instanceof KakaoOAuthError) || !isDeadRefreshAnswer(err)) throw err;
      if (this.#instance.client.refusal(tokens) === "retry") {
        // Maybe another instance rotated this refresh token a moment ago and its answer carries
        // the new one: keep this browser's cookie and let the request be retried.
        log.api("refresh refused inside Kakao's rotation window: answering retry, session kept");
        throw new KakaoOAuthError({
          error: err.error,
          ...(err.koe ? { koe: err.koe } : {}),
          ...(err.kakaoStatus === undefined ? {} : { kakaoStatus: err.kakaoStatus }),
          code: "ERR_KAKAO_REFRESH_RETRY",
          message: "The session's tokens were refreshed elsewhere at the same moment. Retry the request.",
        });
      }
      // The refresh token is dead: the session cannot call Kakao any more, so it ends (RT-03).
      log.api("refresh token rejected (%s): ending the session", err.koe ?? err.error);
      await this.#instance.endSession(this.#req, this.#res, this.#state);
      throw err;
    }
    await this.#instance.saveSession(this.#req, this.#res, this.#state, { ...session, tokens: next });
    return next;
  }

  async accessToken(): Promise<string> {
    const tokens = this.#state.session?.tokens;
    if (!tokens) throw notSignedIn();
    if (tokens.expiresAt - REFRESH_MARGIN_S > Math.floor(Date.now() / 1000)) return tokens.accessToken;
    return (await this.#refreshed(tokens)).accessToken;
  }

  async api<T = unknown>(path: string, init?: RequestInit): Promise<T> {
    const token = await this.accessToken();
    try {
      return await this.#instance.client.api<T>(token, path, init);
    } catch (err) {
      // A token revoked or expired early at Kakao: refresh once and retry.
      const tokens = this.#state.session?.tokens;
      if (!(err instanceof KakaoApiError) || err.kakaoCode !== -401 || !tokens) throw err;
      const next = await this.#refreshed(tokens);
      return this.#instance.client.api<T>(next.accessToken, path, init);
    }
  }

  /** `/v2/user/me` with the exact id. */
  me<T = unknown>(): Promise<T> {
    return this.api<T>("/v2/user/me?secure_resource=true");
  }

  /** `/v2/user/scopes`: the consent items and whether the user agreed. */
  scopes<T = unknown>(): Promise<T> {
    return this.api<T>("/v2/user/scopes");
  }

  /**
   * Asks Kakao which consent items the user has agreed to (`/v2/user/scopes`), stores them in the
   * session (`req.kakaoUser.scopes`, which the scope guards read) and returns them.
   */
  async refreshScopes(): Promise<string[]> {
    const answer = await this.api<{ scopes?: Array<{ id?: unknown; agreed?: unknown }> }>("/v2/user/scopes");
    const agreed = (answer?.scopes ?? [])
      .filter((s) => s.agreed === true && typeof s.id === "string")
      .map((s) => s.id as string);
    const session = this.#state.session;
    if (session) {
      const next = { ...session, user: { ...session.user, scopes: agreed } };
      await this.#instance.saveSession(this.#req, this.#res, this.#state, next);
      this.#req.kakaoUser = next.user;
    }
    return agreed;
  }

  async logout(): Promise<void> {
    if (this.#state.session?.tokens)
      await this.api("/v1/user/logout", { method: "POST" }).catch((err: unknown) =>
        log.api("Kakao logout failed: %s", (err as Error).message),
      );
    await this.#instance.endSession(this.#req, this.#res, this.#state);
  }

  async unlink(): Promise<void> {
    const session = this.#state.session;
    if (!session) throw notSignedIn();
    await this.api("/v1/user/unlink", { method: "POST" });
    await revokeKakaoUser(session.user.id);
    await this.#instance.endSession(this.#req, this.#res, this.#state);
  }

  #registry() {
    const registry = this.#instance.registry;
    if (!registry)
      throw new KakaoAuthConfigError(
        "redis",
        "req.kakao.sessions() and signOutOthers() need the redis option: kakaoAuth({ redis: redisClient }).",
      );
    return registry;
  }

  async sessions(): Promise<KakaoSessionInfo[]> {
    const session = this.#state.session;
    if (!session) throw notSignedIn();
    return registryCall(this.#registry().list(session.user.id, session.sessionId));
  }

  async signOutOthers(): Promise<number> {
    const session = this.#state.session;
    if (!session) throw notSignedIn();
    return registryCall(this.#registry().endOthers(session.user.id, session.sessionId));
  }

  signInUrl(options?: SignInUrlOptions): string {
    return this.#instance.signInPath(this.#state, options);
  }

  /** What logs and error reporters see: who, not how (no tokens, no config). */
  toJSON(): { userId: string | null; authenticated: boolean } {
    return { userId: this.#state.session?.user.id ?? null, authenticated: this.#state.session !== undefined };
  }

  [inspect.custom](): string {
    const { userId } = this.toJSON();
    return `KakaoContext { ${userId === null ? "anonymous" : `userId: '${userId}'`} }`;
  }
}
