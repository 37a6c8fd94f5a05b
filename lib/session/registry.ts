import { withTimeout, type KakaoRedis } from "../redis/adapter.js";
import { log } from "../log.js";
import type { KakaoSessionData } from "../types.js";
import { processRevocations, revokeSessionId } from "./revocation.js";

/** One of a user's sessions, as `req.kakao.sessions()` lists them. */
export interface KakaoSessionInfo {
  id: string;
  /** The session of this request. */
  current: boolean;
  /** Milliseconds since epoch. */
  createdAt: number;
  /** Milliseconds since epoch; written at most once a minute per session. */
  lastSeenAt: number;
  userAgent: string | undefined;
}

interface Entry {
  createdAt: number;
  userAgent?: string;
  /** When the session can no longer be live (absolute lifetime), ms. */
  until: number;
}

/** Last-seen writes are batched: at most one per session per minute, none on the request path. */
const SEEN_EVERY_MS = 60_000;

const usersKey = (userId: string): string => `express-kakao-auth:user:{${userId}}:sessions`;
const seenKey = (userId: string): string => `express-kakao-auth:user:{${userId}}:seen`;
const sessionKey = (sessionId: string): string => `express-kakao-auth:session:${sessionId}`;

/** Every registry of this process, so `revokeKakaoSession(id)` reaches them. */
const registries = new Set<SessionRegistry>();

/**
 * A per-user index of sessions in Redis (hash `user:{id}:sessions`: session id → created, user
 * agent, lifetime; `user:{id}:seen`: last seen). The source of truth for listing and ending a
 * user's sessions, not for reading them: requests still read their own cookie or token and check
 * revocation in memory, so the hot path makes no Redis round trip.
 */
export class SessionRegistry {
  readonly #redis: KakaoRedis;
  readonly #absoluteMs: number;
  readonly #maxPerUser: number | undefined;
  /** Pending last-seen times: session id → [user id, ms, login ms]; flushed by a timer. */
  readonly #pending = new Map<string, [string, number, number]>();
  /** When each session's last-seen was last queued here (ms). */
  readonly #queuedAt = new Map<string, number>();

  constructor(redis: KakaoRedis, options: { absoluteDuration: number; maxPerUser: number | undefined }) {
    this.#redis = redis;
    this.#absoluteMs = options.absoluteDuration * 1000;
    this.#maxPerUser = options.maxPerUser;
    registries.add(this);
    setInterval(() => void this.flush(), SEEN_EVERY_MS).unref();
  }

  /** Records a new session; past `maxPerUser`, the oldest sessions of the user end. */
  async add(data: KakaoSessionData, userAgent: string | undefined): Promise<void> {
    const { sessionId, user } = data;
    if (!sessionId) return;
    const entry: Entry = { createdAt: data.loginAt, until: data.loginAt + this.#absoluteMs };
    if (userAgent) entry.userAgent = userAgent.slice(0, 256);
    const key = usersKey(user.id);
    try {
      await withTimeout(this.#redis.command(key, ["HSET", key, sessionId, JSON.stringify(entry)]));
      await withTimeout(this.#redis.command(key, ["PEXPIRE", key, String(this.#absoluteMs)]));
      const sKey = sessionKey(sessionId);
      await withTimeout(this.#redis.command(sKey, ["SET", sKey, user.id, "PX", String(this.#absoluteMs)]));
      if (this.#maxPerUser !== undefined) await this.#enforceLimit(user.id, this.#maxPerUser);
    } catch (err) {
      // The login stands; it is missing from the list until it is seen again.
      log.session("session registry unavailable at login: %s", (err as Error).message);
    }
  }

  async #entries(userId: string): Promise<Array<[string, Entry]>> {
    const key = usersKey(userId);
    const flat: unknown = await withTimeout(this.#redis.command(key, ["HGETALL", key]));
    const pairs: Array<[string, string]> = Array.isArray(flat)
      ? flat.reduce<Array<[string, string]>>(
          (acc, v, i) => (i % 2 ? acc : [...acc, [String(v), String(flat[i + 1])]]),
          [],
        )
      : Object.entries((flat ?? {}) as Record<string, string>);
    const now = Date.now();
    const live: Array<[string, Entry]> = [];
    const dead: string[] = [];
    for (const [id, json] of pairs) {
      let entry: Entry | undefined;
      try {
        entry = JSON.parse(json) as Entry;
      } catch {
        entry = undefined;
      }
      if (!entry || entry.until <= now || processRevocations.sessionRevoked(id)) dead.push(id);
      else live.push([id, entry]);
    }
    if (dead.length) await withTimeout(this.#redis.command(key, ["HDEL", key, ...dead])).catch(() => undefined);
    return live.sort((a, b) => a[1].createdAt - b[1].createdAt);
  }

  async #enforceLimit(userId: string, max: number): Promise<void> {
    const live = await this.#entries(userId);
    for (const [id, entry] of live.slice(0, Math.max(0, live.length - max))) await this.end(userId, id, entry.until);
  }

  /** Ends one session everywhere (revoked until it could have expired) and drops it from the list. */
  async end(userId: string, sessionId: string, until = Date.now() + this.#absoluteMs): Promise<void> {
    await revokeSessionId(sessionId, until);
    const key = usersKey(userId);
    await withTimeout(this.#redis.command(key, ["HDEL", key, sessionId])).catch(() => undefined);
  }

  /** The user's live sessions, oldest first. */
  async list(userId: string, currentId: string | undefined): Promise<KakaoSessionInfo[]> {
    await this.flush(userId);
    const live = await this.#entries(userId);
    const key = seenKey(userId);
    const seen: unknown = await withTimeout(this.#redis.command(key, ["HGETALL", key]));
    const seenAt = (id: string): number | undefined => {
      if (Array.isArray(seen)) {
        const i = seen.findIndex((v, j) => j % 2 === 0 && String(v) === id);
        return i === -1 ? undefined : Number(seen[i + 1]);
      }
      const v = (seen as Record<string, string> | null)?.[id];
      return v === undefined ? undefined : Number(v);
    };
    return live.map(([id, e]) => ({
      id,
      current: id === currentId,
      createdAt: e.createdAt,
      lastSeenAt: Math.max(e.createdAt, seenAt(id) ?? 0),
      userAgent: e.userAgent,
    }));
  }

  /** Ends every session of the user but `keepId`; returns how many ended. */
  async endOthers(userId: string, keepId: string | undefined): Promise<number> {
    const others = (await this.#entries(userId)).filter(([id]) => id !== keepId);
    for (const [id, entry] of others) await this.end(userId, id, entry.until);
    return others.length;
  }

  /** Notes that a session was used; a map write on the request path, flushed in the background. */
  touch(data: KakaoSessionData, nowMs = Date.now()): void {
    const id = data.sessionId;
    if (!id) return;
    const queued = this.#queuedAt.get(id);
    if (queued !== undefined && nowMs - queued < SEEN_EVERY_MS) return;
    if (this.#queuedAt.size > 100_000) this.#queuedAt.clear();
    this.#queuedAt.set(id, nowMs);
    this.#pending.set(id, [data.user.id, nowMs, data.loginAt]);
  }

  /**
   * Writes the pending last-seen times (of one user, or all), together under one timeout. A session
   * whose login found Redis down is listed from here on (`HSETNX`: an entry made at login stays).
   */
  async flush(onlyUserId?: string): Promise<void> {
    const batch = [...this.#pending].filter(([, [userId]]) => onlyUserId === undefined || userId === onlyUserId);
    if (batch.length === 0) return;
    for (const [sessionId] of batch) this.#pending.delete(sessionId);
    const writes = batch.map(async ([sessionId, [userId, at, loginAt]]) => {
      const seen = seenKey(userId);
      const list = usersKey(userId);
      const entry: Entry = { createdAt: loginAt, until: loginAt + this.#absoluteMs };
      await this.#redis.command(seen, ["HSET", seen, sessionId, String(at)]);
      await this.#redis.command(seen, ["PEXPIRE", seen, String(this.#absoluteMs)]);
      if (entry.until > at) await this.#redis.command(list, ["HSETNX", list, sessionId, JSON.stringify(entry)]);
    });
    await withTimeout(Promise.all(writes)).catch((err: unknown) =>
      log.session("last-seen write failed: %s", (err as Error).message),
    );
  }

  /** The user a session belongs to, from Redis (for `revokeKakaoSession(id)`). */
  async ownerOf(sessionId: string): Promise<string | undefined> {
    const key = sessionKey(sessionId);
    const owner = await withTimeout(this.#redis.command(key, ["GET", key]));
    return typeof owner === "string" ? owner : undefined;
  }
}

/**
 * Ends one session (e.g. from an admin page listing `req.kakao.sessions()`) on every instance:
 * refused from now on, and dropped from its user's list.
 */
export async function revokeKakaoSession(sessionId: string): Promise<void> {
  if (typeof sessionId !== "string" || !/^[0-9a-f-]{36}$/i.test(sessionId))
    throw new TypeError("revokeKakaoSession(sessionId): sessionId must be a session id from req.kakao.sessions()");
  await revokeSessionId(sessionId, Date.now() + 60 * 24 * 60 * 60 * 1000);
  // Every registry of this process (one per kakaoAuth({ redis })): drop it from its user's list.
  for (const registry of registries) {
    const owner = await registry.ownerOf(sessionId).catch(() => undefined);
    if (owner) await registry.end(owner, sessionId).catch(() => undefined);
  }
}
