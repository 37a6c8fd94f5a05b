import type { Request, Response } from "express";
import type { ResolvedConfig } from "../config.js";
import { KakaoAuthConfigError, KakaoSessionStoreError } from "../errors.js";
import type { JweKey, JweKeyring } from "../authjs/jwe.js";
import type { KakaoSessionData, KakaoTokens } from "../types.js";
import type { RequestState } from "./request-state.js";
import type { RevocationList } from "./revocation.js";
import { isSessionData, isSessionLive } from "./rules.js";
import type { SessionStore, StoredSession } from "./store.js";
import { openTokens, sealTokens } from "./token-seal.js";

/** The key under which the user and tokens live in `req.session`. */
export const SESSION_KEY = "kakao";
/** HKDF salt of the key that seals Kakao's tokens inside the record. */
const TOKENS_SALT = "express-kakao-auth.session-tokens";

/** What `req.session.kakao` holds: the session data with its tokens sealed. */
type StoredRecord = Omit<KakaoSessionData, "tokens"> & { sealedTokens?: string };

interface SessionLike {
  [SESSION_KEY]?: unknown;
  cookie?: { maxAge?: number | null; expires?: Date | null | boolean };
  regenerate(cb: (err?: unknown) => void): void;
  save(cb: (err?: unknown) => void): void;
  destroy(cb: (err?: unknown) => void): void;
  touch?(): void;
}

type WithSession = Request & { session?: SessionLike; sessionStore?: unknown };

function sessionOf(req: Request): SessionLike {
  const s = (req as WithSession).session;
  if (!s || typeof s.regenerate !== "function") {
    if ((req as WithSession).sessionStore)
      throw new KakaoSessionStoreError(
        "The session store is unavailable (express-session could not load the session).",
      );
    throw new KakaoAuthConfigError(
      "session.store",
      'kakaoAuth: session.store is "express-session" but req.session is missing. Mount express-session before kakaoAuth(): app.use(session({ ... })); app.use(kakaoAuth({ session: { store: "express-session" } })).',
    );
  }
  return s;
}

const call = (fn: (cb: (err?: unknown) => void) => void): Promise<void> =>
  new Promise((resolve, reject) =>
    fn((err) => (err ? reject(new KakaoSessionStoreError("The session store failed.", { cause: err })) : resolve())),
  );

/**
 * `session.store: "express-session"`: the user and tokens under `req.session.kakao`, with the id
 * regenerated at login (ASVS 3.2.1, no fixation) and the session destroyed at sign-out.
 */
export class ExpressSessionStore implements SessionStore {
  readonly #config: ResolvedConfig;
  readonly #revocations: RevocationList;
  readonly #keys: JweKey[];

  constructor(config: ResolvedConfig, revocations: RevocationList, keyring: JweKeyring) {
    this.#config = config;
    this.#revocations = revocations;
    this.#keys = keyring.keys(TOKENS_SALT);
  }

  read(req: Request): StoredSession | undefined {
    const session = sessionOf(req);
    const record = session[SESSION_KEY];
    if (record === undefined) return undefined;
    const data = this.#open(record);
    if (data && isSessionLive(data, Date.now(), this.#config.session, this.#revocations)) return { data };
    delete session[SESSION_KEY];
    return undefined;
  }

  /**
   * Kakao's tokens are sealed in the record (encrypted with the app secret): apps and error
   * reporters print `req.session`, and stores (Redis) keep it in clear. They are unsealed only
   * when a handler asks for them, so reading the user costs nothing extra.
   */
  #seal(data: KakaoSessionData): StoredRecord {
    const { tokens, ...rest } = data;
    if (!tokens) return rest;
    return { ...rest, sealedTokens: sealTokens(tokens, this.#keys[0]!) };
  }

  #open(record: unknown): KakaoSessionData | undefined {
    if (!isSessionData(record)) return undefined;
    const { sealedTokens, ...rest } = record as StoredRecord;
    if (typeof sealedTokens !== "string") return rest;
    const keys = this.#keys;
    let opened: KakaoTokens | undefined | null = null;
    const data: KakaoSessionData = { ...rest };
    // Enumerable, so `{ ...session, user }` (a scopes update) carries the tokens along.
    Object.defineProperty(data, "tokens", {
      enumerable: true,
      configurable: true,
      get(): KakaoTokens | undefined {
        opened ??= openTokens(sealedTokens, keys);
        return opened;
      },
    });
    return data;
  }

  /** Starts a fresh session id for a new login and stores the user in it. */
  async create(req: Request, _res: Response, _state: RequestState, data: KakaoSessionData): Promise<void> {
    const session = sessionOf(req);
    await call((cb) => session.regenerate(cb));
    const fresh = sessionOf(req);
    fresh[SESSION_KEY] = this.#seal(data);
    if (fresh.cookie) fresh.cookie.maxAge = this.#config.session.maxAge * 1000;
    await call((cb) => fresh.save(cb));
  }

  async save(req: Request, _res: Response, _state: RequestState, data: KakaoSessionData): Promise<void> {
    const session = sessionOf(req);
    session[SESSION_KEY] = this.#seal(data);
    await call((cb) => session.save(cb));
  }

  async destroy(req: Request): Promise<void> {
    // Destroyed in the store: every instance sharing it refuses the session id from now on.
    const session = sessionOf(req);
    await call((cb) => session.destroy(cb));
  }
}
