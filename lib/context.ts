import type { Request, Response } from "express";
import { KakaoApiError, KakaoOAuthError } from "./errors.js";
import { callKakaoApi, refreshTokens, REFRESH_MARGIN_S } from "./kakao-api.js";
import { log } from "./log.js";
import { revokeKakaoUser } from "./revocation.js";
import type { RequestState, Runtime } from "./runtime.js";
import type { KakaoRequestContext, KakaoTokens, SignInUrlOptions } from "./types.js";

function notSignedIn(): KakaoApiError {
  return new KakaoApiError({ kakaoCode: -401, status: 401, message: "No Kakao user is signed in on this request." });
}

/** `req.kakao`: one per request; methods live on the prototype so creating it costs one object. */
export class KakaoContext implements KakaoRequestContext {
  /** Set when a `prompt=none` sign-in just came back without a user (`consent_required`, `login_required`). */
  silentSignInError: string | undefined;
  /** The `kakaoAuth()` instance and this request's session state (read once, memoised here). */
  readonly runtime: Runtime;
  readonly state: RequestState;
  readonly #req: Request;
  readonly #res: Response;

  constructor(req: Request, res: Response, runtime: Runtime, state: RequestState) {
    this.#req = req;
    this.#res = res;
    this.runtime = runtime;
    this.state = state;
  }

  #session() {
    return this.state.session;
  }

  isAuthenticated(): boolean {
    return this.#session() !== undefined;
  }

  async #refreshed(tokens: KakaoTokens): Promise<KakaoTokens> {
    const session = this.#session();
    if (!session) throw notSignedIn();
    try {
      const next = await refreshTokens(this.runtime, tokens);
      await this.runtime.saveSession(this.#req, this.#res, { ...session, tokens: next });
      return next;
    } catch (err) {
      if (
        err instanceof KakaoOAuthError &&
        (err.koe === "KOE322" || err.koe === "KOE319" || err.error === "invalid_grant")
      ) {
        // The refresh token is dead: the session cannot call Kakao any more, so it ends (RT-03).
        log.api("refresh token rejected (%s): ending the session", err.koe ?? err.error);
        await this.runtime.endSession(this.#req, this.#res);
      }
      throw err;
    }
  }

  async accessToken(): Promise<string> {
    const session = this.#session();
    if (!session?.tokens) throw notSignedIn();
    const { tokens } = session;
    if (tokens.expiresAt - REFRESH_MARGIN_S > Math.floor(Date.now() / 1000)) return tokens.accessToken;
    return (await this.#refreshed(tokens)).accessToken;
  }

  async api<T = unknown>(path: string, init?: RequestInit): Promise<T> {
    const token = await this.accessToken();
    try {
      return await callKakaoApi<T>(this.runtime, token, path, init);
    } catch (err) {
      // A token revoked or expired early at Kakao: refresh once and retry.
      const tokens = this.#session()?.tokens;
      if (!(err instanceof KakaoApiError) || err.kakaoCode !== -401 || !tokens) throw err;
      const next = await this.#refreshed(tokens);
      return callKakaoApi<T>(this.runtime, next.accessToken, path, init);
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
    const session = this.#session();
    if (session) {
      const next = { ...session, user: { ...session.user, scopes: agreed } };
      await this.runtime.saveSession(this.#req, this.#res, next);
      this.#req.kakaoUser = next.user;
    }
    return agreed;
  }

  async logout(): Promise<void> {
    const tokens = this.#session()?.tokens;
    if (tokens)
      await this.api("/v1/user/logout", { method: "POST" }).catch((err: unknown) =>
        log.api("Kakao logout failed: %s", (err as Error).message),
      );
    await this.runtime.endSession(this.#req, this.#res);
  }

  async unlink(): Promise<void> {
    const session = this.#session();
    if (!session) throw notSignedIn();
    await this.api("/v1/user/unlink", { method: "POST" });
    await revokeKakaoUser(session.user.id);
    await this.runtime.endSession(this.#req, this.#res);
  }

  signInUrl(options?: SignInUrlOptions): string {
    return this.runtime.signInPath(options);
  }
}
