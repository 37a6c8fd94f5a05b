import type { Request, Response } from "express";
import type { ResolvedConfig } from "../config.js";
import { log } from "../log.js";
import type { KakaoSessionData } from "../types.js";
import type { RequestState } from "./request-state.js";
import { revokeSessionId, type RevocationList } from "./revocation.js";
import { isSessionLive } from "./rules.js";
import type { SessionTokens } from "./session-token.js";
import type { SessionStore, StoredSession } from "./store.js";

/** The key salt of bearer session tokens: a cookie value is no bearer token, and the reverse. */
const BEARER_SALT = "express-kakao-auth.bearer-session";
/** Where a renewed or refreshed session token comes back to a bearer client. */
export const SESSION_TOKEN_HEADER = "Kakao-Session-Token";

/** The token of `Authorization: Bearer <token>`, when the header has that shape. */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header || header.length < 8 || !/^bearer /i.test(header)) return undefined;
  const token = header.slice(7).trim();
  return /^[A-Za-z0-9._-]+$/.test(token) ? token : undefined;
}

/**
 * `session.bearer`: sessions carried as `Authorization: Bearer <sessionToken>` by mobile apps and
 * SPAs, read exactly like the session cookie (same encryption, LRU, expiry and revocation). New
 * tokens (renewal, refresh) go back in the `Kakao-Session-Token` header instead of `Set-Cookie`.
 */
export class BearerSessionStore implements SessionStore {
  readonly #config: ResolvedConfig;
  readonly #revocations: RevocationList;
  readonly #tokens: SessionTokens;

  constructor(config: ResolvedConfig, revocations: RevocationList, tokens: SessionTokens) {
    this.#config = config;
    this.#revocations = revocations;
    this.#tokens = tokens;
  }

  /** A session token for `data`, as `POST {basePath}/token/kakao` hands it out. */
  issue(data: KakaoSessionData, claims: Record<string, unknown>): { token: string; exp: number } {
    return this.#tokens.encode(data, claims, BEARER_SALT);
  }

  read(req: Request, res: Response): StoredSession | undefined {
    const token = bearerToken(req);
    if (!token) return undefined;
    const decoded = this.#tokens.decode(token, BEARER_SALT);
    const now = Date.now();
    if (
      !decoded ||
      decoded.exp * 1000 <= now ||
      !isSessionLive(decoded.data, now, this.#config.session, this.#revocations)
    ) {
      log.session("bearer session token refused: unreadable, expired or revoked");
      return undefined;
    }
    if (this.#tokens.renewalDue(decoded.claims, now)) this.#send(res, decoded.data, decoded.claims);
    return { data: decoded.data, claims: decoded.claims };
  }

  #send(res: Response, data: KakaoSessionData, claims: Record<string, unknown> = {}): void {
    if (!res.headersSent) res.set(SESSION_TOKEN_HEADER, this.issue(data, claims).token);
  }

  create(
    _req: Request,
    res: Response,
    state: RequestState,
    data: KakaoSessionData,
    claims: Record<string, unknown>,
  ): Promise<void> {
    state.claims = claims;
    this.#send(res, data, claims);
    return Promise.resolve();
  }

  save(_req: Request, res: Response, state: RequestState, data: KakaoSessionData): Promise<void> {
    this.#send(res, data, state.claims);
    return Promise.resolve();
  }

  /** A bearer token cannot be taken back from the client: its session id is refused instead. */
  async destroy(_req: Request, _res: Response, state: RequestState): Promise<void> {
    const data = state.session;
    if (data?.sessionId)
      await revokeSessionId(data.sessionId, data.loginAt + this.#config.session.absoluteDuration * 1000);
  }
}
