import type { Request, Response } from "express";
import type { KakaoSessionData } from "../types.js";
import type { RequestState } from "./request-state.js";

/** A session as a store read it. */
export interface StoredSession {
  data: KakaoSessionData;
  /** The cookie's claims (cookie store): kept across rewrites so Auth.js readers still find theirs. */
  claims?: Record<string, unknown>;
}

/**
 * Where sessions live, chosen once at construction (cookie or express-session). `read` is on every
 * request's path and stays synchronous; the others run at login, refresh and sign-out.
 */
export interface SessionStore {
  /** The live session of this request, or `undefined`. Expired or revoked sessions are dropped. */
  read(req: Request, res: Response, state: RequestState): StoredSession | undefined;
  /** A new login: a fresh session (new id, no fixation), with `claims` for the cookie. */
  create(
    req: Request,
    res: Response,
    state: RequestState,
    data: KakaoSessionData,
    claims: Record<string, unknown>,
  ): Promise<void>;
  /** Changed data of the current session (token refresh, scopes). */
  save(req: Request, res: Response, state: RequestState, data: KakaoSessionData): Promise<void>;
  /** Ends the current session, so that no copy of it is accepted afterwards. */
  destroy(req: Request, res: Response, state: RequestState): Promise<void>;
}
