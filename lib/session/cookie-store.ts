import type { Request, Response } from "express";
import { parse as parseCookies, serialize } from "cookie";
import { SESSION_COOKIE, secureName } from "../authjs/cookie-names.js";
import type { ResolvedConfig } from "../config.js";
import { log } from "../log.js";
import type { KakaoSessionData } from "../types.js";
import type { RequestState } from "./request-state.js";
import { revokeSessionId, type RevocationList } from "./revocation.js";
import { isSessionLive } from "./rules.js";
import type { SessionTokens } from "./session-token.js";
import type { SessionStore, StoredSession } from "./store.js";

// Auth.js chunks above 4096 bytes per cookie minus its attribute estimate (lib/utils/cookie.ts).
const CHUNK_SIZE = 4096 - 163;

/**
 * The value of cookie `name` when it is the only cookie whose name starts with `name` (no chunks,
 * no duplicates) and needs no decoding; otherwise `undefined` and the caller parses properly.
 */
function soleCookie(header: string, name: string): string | undefined {
  const at = header.indexOf(name);
  if (at === -1 || header.indexOf(name, at + name.length) !== -1) return undefined;
  if (at > 0 && header.charCodeAt(at - 1) !== 32 && header.charCodeAt(at - 1) !== 59) return undefined;
  if (header.charCodeAt(at + name.length) !== 61 /* = */) return undefined;
  const end = header.indexOf(";", at);
  const value = header.slice(at + name.length + 1, end === -1 ? undefined : end).trim();
  return /^[A-Za-z0-9._-]+$/.test(value) ? value : undefined;
}

/** Removes Set-Cookie lines for `name` (and its chunks) that this response already holds. */
function dropSetCookies(res: Response, name: string): void {
  const lines = res.getHeader("Set-Cookie");
  if (!Array.isArray(lines)) {
    if (typeof lines === "string" && (lines.startsWith(`${name}=`) || lines.startsWith(`${name}.`)))
      res.removeHeader("Set-Cookie");
    return;
  }
  const kept = lines.filter((l) => !l.startsWith(`${name}=`) && !l.startsWith(`${name}.`));
  if (kept.length !== lines.length) res.setHeader("Set-Cookie", kept);
}

/**
 * The default store: Auth.js's encrypted JWT cookie, read without the Auth.js pipeline. Keys are
 * derived once per secret and cookie name; decoded tokens are cached in a bounded LRU, and expiry,
 * absolute lifetime and revocation are still checked on every hit.
 */
export class CookieSessionStore implements SessionStore {
  readonly #config: ResolvedConfig;
  readonly #revocations: RevocationList;
  readonly #tokens: SessionTokens;

  constructor(config: ResolvedConfig, revocations: RevocationList, tokens: SessionTokens) {
    this.#config = config;
    this.#revocations = revocations;
    this.#tokens = tokens;
  }

  /** Joins `name` or its chunks `name.0`, `name.1`, … as Auth.js writes them. */
  #token(req: Request, name: string): { token: string | undefined; names: string[] } {
    const header = req.headers.cookie;
    if (!header || !header.includes(name)) return { token: undefined, names: [] };
    // The usual case, one unchunked cookie, without parsing every cookie of the site (bench/).
    const single = soleCookie(header, name);
    if (single !== undefined) return { token: single, names: [name] };
    const jar = parseCookies(header);
    const whole = jar[name];
    const chunks: [number, string][] = [];
    const names: string[] = [];
    for (const key of Object.keys(jar)) {
      if (key === name) names.push(key);
      else if (key.startsWith(`${name}.`)) {
        const n = Number(key.slice(name.length + 1));
        if (Number.isInteger(n) && n >= 0 && n < 64) chunks.push([n, jar[key] ?? ""]);
        names.push(key);
      }
    }
    if (whole) return { token: whole, names };
    if (chunks.length === 0) return { token: undefined, names };
    chunks.sort((a, b) => a[0] - b[0]);
    return { token: chunks.map((c) => c[1]).join(""), names };
  }

  /** The live session of this request, or `undefined`; stale or revoked cookies are cleared. */
  read(req: Request, res: Response, state: RequestState): StoredSession | undefined {
    // Most anonymous requests stop at this substring check (both cookie names contain it).
    if (!req.headers.cookie?.includes(SESSION_COOKIE)) return undefined;
    const secure = state.secure;
    const name = secureName(SESSION_COOKIE, secure);
    const { token, names } = this.#token(req, name);
    if (!token) return undefined;
    const decoded = this.#tokens.decode(token, name);
    const now = Date.now();
    if (
      decoded &&
      decoded.exp * 1000 > now &&
      isSessionLive(decoded.data, now, this.#config.session, this.#revocations)
    ) {
      if (this.#tokens.renewalDue(decoded.claims, now)) this.write(res, secure, decoded.data, decoded.claims);
      return { data: decoded.data, claims: decoded.claims };
    }
    if (!decoded) {
      // Not ours (another Auth.js app on this host, another secret) or forged: anonymous, but left
      // alone, so kakaoAuth() never deletes a cookie it did not write.
      log.session("session cookie not readable with this secret: anonymous");
      return undefined;
    }
    log.session("session cookie refused: expired or revoked");
    this.#clear(res, names, secure);
    return undefined;
  }

  create(
    _req: Request,
    res: Response,
    state: RequestState,
    data: KakaoSessionData,
    claims: Record<string, unknown>,
  ): Promise<void> {
    state.claims = claims;
    if (!res.headersSent) this.write(res, state.secure, data, claims);
    return Promise.resolve();
  }

  save(_req: Request, res: Response, state: RequestState, data: KakaoSessionData): Promise<void> {
    if (!res.headersSent) this.write(res, state.secure, data, state.claims);
    return Promise.resolve();
  }

  /**
   * Clears the cookie and refuses its session id until the session could have lived no longer,
   * so a copy of the cookie (stolen, or left on another machine) dies with the sign-out.
   */
  async destroy(req: Request, res: Response, state: RequestState): Promise<void> {
    const data = state.session;
    if (!res.headersSent) this.clear(req, res, state.secure);
    if (data?.sessionId)
      await revokeSessionId(data.sessionId, data.loginAt + this.#config.session.absoluteDuration * 1000);
  }

  /** Writes (or rewrites, after a renewal or token refresh) the session cookie. */
  write(res: Response, secure: boolean, data: KakaoSessionData, claims: Record<string, unknown> = {}): void {
    const name = secureName(SESSION_COOKIE, secure);
    const { token, exp } = this.#tokens.encode(data, claims, name);
    const options = { ...this.#attributes(secure), expires: new Date(exp * 1000) };
    // A renewal written earlier in this response (rolling expiry, then a token refresh) is
    // replaced, not repeated: one Set-Cookie per name (RFC 6265 §4.1.1).
    dropSetCookies(res, name);
    const written = new Set<string>();
    if (token.length <= CHUNK_SIZE) {
      res.append("Set-Cookie", serialize(name, token, options));
      written.add(name);
    } else {
      for (let i = 0; i * CHUNK_SIZE < token.length; i++) {
        res.append("Set-Cookie", serialize(`${name}.${i}`, token.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE), options));
        written.add(`${name}.${i}`);
      }
    }
    // A switch between whole and chunked (or fewer chunks) must not leave stale parts behind.
    const stale = this.#token(res.req, name).names.filter((n) => !written.has(n));
    if (stale.length) this.#clear(res, stale, secure);
  }

  #clear(res: Response, names: string[], secure: boolean): void {
    for (const n of names) res.append("Set-Cookie", serialize(n, "", { ...this.#attributes(secure), maxAge: 0 }));
  }

  /** HttpOnly, SameSite as configured (Lax by default), Secure on https, the configured domain. */
  #attributes(secure: boolean) {
    const { domain, sameSite } = this.#config.clients.cookie;
    return { httpOnly: true, sameSite, path: "/", secure, ...(domain ? { domain } : {}) } as const;
  }

  /** Clears the cookie and its chunks on this browser. */
  clear(req: Request, res: Response, secure: boolean): void {
    const name = secureName(SESSION_COOKIE, secure);
    const { names } = this.#token(req, name);
    this.#clear(res, names.length ? names : [name], secure);
  }
}
