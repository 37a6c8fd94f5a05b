import { log } from "../log.js";

/**
 * Which users' sessions are refused, and since when. The check runs on every authenticated
 * request, so it is a synchronous in-memory lookup; a shared `RevocationStore` (Redis) feeds this
 * map in the background so revocations reach every instance.
 */
export interface RevocationList {
  /** Milliseconds since epoch of the user's last revocation, if any. */
  revokedAt(userId: string): number | undefined;
  revoke(userId: string, at?: number): void;
  /** Whether this one session (by its id) was ended, e.g. by sign-out. */
  sessionRevoked(sessionId: string): boolean;
  /** Refuses the session with this id until `untilMs`, when no copy of it can be live any more. */
  revokeSession(sessionId: string, untilMs: number): void;
}

/** Members of a shared store that name one session rather than a user. */
export const SESSION_MEMBER = "session:";

/** A store shared by several instances; `kakaoAuth()` polls it and caches the result in memory. */
export interface RevocationStore {
  /** Records that sessions of `userId` created up to `at` (ms) are refused. */
  revoke(userId: string, at: number): Promise<void>;
  /** Revocations recorded at or after `since` (ms), as `[userId, at]` pairs. */
  changesSince(since: number): Promise<Array<[string, number]>>;
}

export class MemoryRevocationList implements RevocationList {
  readonly #revoked = new Map<string, number>();
  /** Session id → until when it is refused (ms); pruned as entries pass their time. */
  readonly #sessions = new Map<string, number>();
  #nextPrune = 1024;

  sessionRevoked(sessionId: string): boolean {
    const until = this.#sessions.get(sessionId);
    return until !== undefined && until > Date.now();
  }

  revokeSession(sessionId: string, untilMs: number): void {
    this.#sessions.set(sessionId, Math.max(untilMs, this.#sessions.get(sessionId) ?? 0));
    if (this.#sessions.size < this.#nextPrune) return;
    const now = Date.now();
    for (const [id, until] of this.#sessions) if (until <= now) this.#sessions.delete(id);
    this.#nextPrune = Math.max(1024, this.#sessions.size * 2);
  }

  revokedAt(userId: string): number | undefined {
    return this.#revoked.get(userId);
  }

  revoke(userId: string, at: number = Date.now()): void {
    const prev = this.#revoked.get(userId) ?? 0;
    this.#revoked.set(userId, Math.max(prev, at));
  }
}

/** The process-wide list that `revokeKakaoUser()` writes and every `kakaoAuth()` reads. */
export const processRevocations = new MemoryRevocationList();

const sharedStores = new Set<RevocationStore>();

/** A session revoked in another instance is refused this long (no session outlives the default 60 days). */
const SESSION_REVOCATION_MAX_MS = 60 * 24 * 60 * 60 * 1000;

/**
 * Ends one session everywhere: refused in this process until `untilMs`, and through the shared
 * stores in the other instances (cookie-store sign-out: a copied cookie dies with it).
 */
export function revokeSessionId(sessionId: string, untilMs: number): Promise<void> {
  processRevocations.revokeSession(sessionId, untilMs);
  const at = Date.now();
  // A store outage must not fail the sign-out that asked: this instance refuses the session at
  // once; the others learn of it only once the store answers again (stated in the README).
  return Promise.all(
    [...sharedStores].map((s) =>
      s
        .revoke(`${SESSION_MEMBER}${sessionId}`, at)
        .catch((err: unknown) => log.session("shared revocation of a session failed: %s", (err as Error).message)),
    ),
  ).then(() => undefined);
}

/**
 * Keeps `processRevocations` in step with a shared store: polls every `intervalMs` (the window in
 * which another instance may still accept a revoked session). The timer is unref'd.
 */
export function syncRevocations(store: RevocationStore, intervalMs: number): void {
  if (sharedStores.has(store)) return;
  sharedStores.add(store);
  let since = 0;
  const apply = (member: string, at: number): void => {
    if (member.startsWith(SESSION_MEMBER))
      processRevocations.revokeSession(member.slice(SESSION_MEMBER.length), at + SESSION_REVOCATION_MAX_MS);
    else processRevocations.revoke(member, at);
  };
  // A store that pushes (Redis pub/sub) delivers at once; the poll stays for missed messages.
  const listen = (store as { listen?: (apply: (member: string, at: number) => void) => Promise<void> }).listen;
  if (listen)
    listen
      .call(store, apply)
      .catch((err: unknown) => log.session("revocation push unavailable, polling only: %s", (err as Error).message));
  const poll = async (): Promise<void> => {
    try {
      const started = Date.now();
      for (const [member, at] of await store.changesSince(since)) apply(member, at);
      // Overlap one interval so a write racing the previous poll is not missed.
      since = Math.max(0, started - intervalMs);
    } catch (err) {
      log.session("revocation store poll failed: %s", (err as Error).message);
    }
  };
  void poll();
  setInterval(() => void poll(), intervalMs).unref();
}

/**
 * Refuses every session of this user created up to now, in every `kakaoAuth()` of this process at
 * once, and through a shared revocation store in the other instances within its poll interval
 * (the unlink webhook and `req.kakao.unlink()` call it).
 */
export function revokeKakaoUser(userId: string): Promise<void> {
  // Thrown, not rejected: a wrong id is a programming error, even where the promise is not awaited.
  if (typeof userId !== "string" || !/^\d{1,20}$/.test(userId))
    throw new TypeError("revokeKakaoUser(userId): userId must be a Kakao user id as a decimal string");
  const at = Date.now();
  processRevocations.revoke(userId, at);
  return Promise.all([...sharedStores].map((s) => s.revoke(userId, at))).then(() => undefined);
}
