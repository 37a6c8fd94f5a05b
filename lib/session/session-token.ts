import { LRUCache } from "lru-cache";
import { decryptJwe, encryptJwe, type JweKeyring } from "../authjs/jwe.js";
import type { ResolvedSessionConfig } from "../config.js";
import type { KakaoSessionData } from "../types.js";
import { isSessionData, sessionExpiry } from "./rules.js";

/** Larger session tokens are not even decrypted (security-tests SES-12). */
export const MAX_TOKEN_LENGTH = 32 * 1024;

export interface DecodedSession {
  token: string;
  salt: string;
  data: KakaoSessionData;
  claims: Record<string, unknown>;
  exp: number;
}

/**
 * The encrypted session token the cookie and the bearer header carry (Auth.js's JWE format; the
 * salt names the key). Keys are derived once per secret and salt; decoded tokens are cached in
 * a bounded LRU, and callers still check expiry, lifetime and revocation on every hit.
 */
export class SessionTokens {
  readonly #keyring: JweKeyring;
  readonly #session: ResolvedSessionConfig;
  readonly #cache: LRUCache<string, DecodedSession> | undefined;

  constructor(keyring: JweKeyring, session: ResolvedSessionConfig) {
    this.#keyring = keyring;
    this.#session = session;
    this.#cache = session.cacheSize > 0 ? new LRUCache({ max: session.cacheSize }) : undefined;
  }

  decode(token: string, salt: string): DecodedSession | undefined {
    if (token.length > MAX_TOKEN_LENGTH) return undefined;
    // Keyed by the 43-character authentication tag, not the ~1.2 KB token: hashing a fresh long
    // string on every request cost ~1.4 µs (bench/). A hit still compares the whole token.
    const tag = token.slice(token.lastIndexOf(".") + 1);
    const cached = this.#cache?.get(tag);
    if (cached?.token === token && cached.salt === salt) return cached;
    const claims = decryptJwe(token, this.#keyring.keys(salt));
    if (!claims || typeof claims.exp !== "number" || !isSessionData(claims.kakao)) return undefined;
    const decoded: DecodedSession = { token, salt, data: claims.kakao, claims, exp: claims.exp };
    this.#cache?.set(tag, decoded);
    return decoded;
  }

  /** A new token for `data` (claims kept, times renewed), and when it expires (seconds). */
  encode(data: KakaoSessionData, claims: Record<string, unknown>, salt: string): { token: string; exp: number } {
    const now = Date.now();
    const exp = sessionExpiry(data, now, this.#session);
    const { iat: _iat, exp: _exp, jti: _jti, ...rest } = claims;
    const token = encryptJwe({ ...rest, kakao: data }, this.#keyring.keys(salt)[0]!, exp, Math.floor(now / 1000));
    return { token, exp };
  }

  /** Whether a rolling renewal is due for a token issued at `claims.iat`. */
  renewalDue(claims: Record<string, unknown>, nowMs: number): boolean {
    const iat = typeof claims.iat === "number" ? claims.iat : 0;
    return this.#session.rolling && Math.floor(nowMs / 1000) - iat >= this.#session.updateAge;
  }
}
