import { log } from "./log.js";

/**
 * Which users' sessions are refused, and since when. The check runs on every authenticated
 * request, so it is a synchronous in-memory lookup; a shared `RevocationStore` (Redis) feeds this
 * map in the background so revocations reach every instance.
 */
export interface RevocationList {
  /** Milliseconds since epoch of the user's last revocation, if any. */
  revokedAt(userId: string): number | undefined;
  revoke(userId: string, at?: number): void;
}

/** A store shared by several instances; `kakaoAuth()` polls it and caches the result in memory. */
export interface RevocationStore {
  /** Records that sessions of `userId` created up to `at` (ms) are refused. */
  revoke(userId: string, at: number): Promise<void>;
  /** Revocations recorded at or after `since` (ms), as `[userId, at]` pairs. */
  changesSince(since: number): Promise<Array<[string, number]>>;
}

export class MemoryRevocationList implements RevocationList {
  readonly #revoked = new Map<string, number>();

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

/**
 * Keeps `processRevocations` in step with a shared store: polls every `intervalMs` (the window in
 * which another instance may still accept a revoked session). The timer is unref'd.
 */
export function syncRevocations(store: RevocationStore, intervalMs: number): void {
  if (sharedStores.has(store)) return;
  sharedStores.add(store);
  let since = 0;
  const poll = async (): Promise<void> => {
    try {
      const started = Date.now();
      for (const [userId, at] of await store.changesSince(since)) processRevocations.revoke(userId, at);
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
