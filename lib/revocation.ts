/**
 * Which users' sessions are refused, and since when. The check runs on every authenticated
 * request, so it is a synchronous in-memory lookup; stores shared between instances (Redis) feed
 * this map in the background.
 */
export interface RevocationList {
  /** Milliseconds since epoch of the user's last revocation, if any. */
  revokedAt(userId: string): number | undefined;
  revoke(userId: string, at?: number): void;
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

/**
 * Refuses every session of this user created up to now, in every `kakaoAuth()` of this process
 * (the unlink webhook and `req.kakao.unlink()` call it).
 */
export function revokeKakaoUser(userId: string): void {
  if (typeof userId !== "string" || !/^\d{1,20}$/.test(userId))
    throw new TypeError("revokeKakaoUser(userId): userId must be a Kakao user id as a decimal string");
  processRevocations.revoke(userId);
}
