import { adaptRedis, withTimeout, type KakaoRedis } from "../redis/adapter.js";
import { log } from "../log.js";
import type { RevocationStore } from "./revocation.js";

/**
 * A node-redis (`createClient`, `createCluster`) or ioredis (`Redis`, `Cluster`) client. Only
 * `sendCommand`/`call` are used for commands, and a duplicate connection for pub/sub.
 */
export type RedisLike =
  { sendCommand(...args: never[]): Promise<unknown> } | { call(command: string, ...args: string[]): Promise<unknown> };

export interface RedisRevocationStoreOptions {
  /** Sorted-set key (default `express-kakao-auth:revocations`); also the pub/sub channel's name. */
  key?: string;
  /** Forget revocations older than this, in seconds (default 60 days: no session outlives it). */
  retention?: number;
  /**
   * Push each revocation to every instance at once over pub/sub (the poll stays as the fallback
   * for a missed message). Default true.
   */
  push?: boolean;
}

/** A revocation store that also tells the others at once. */
export interface PushingRevocationStore extends RevocationStore {
  /** Calls `apply` for every revocation another instance pushes. */
  listen(apply: (member: string, at: number) => void): Promise<void>;
}

/**
 * Revocations shared through Redis: one sorted set, member = user id (or `session:<id>`), score =
 * revocation time, and a pub/sub channel of the same name that pushes each one to every instance.
 * `kakaoAuth({ redis })` uses it; `kakaoAuth({ revocationStore: redisRevocationStore(client) })` too.
 */
export function redisRevocationStore(
  client: RedisLike,
  options: RedisRevocationStoreOptions = {},
): PushingRevocationStore {
  const key = options.key ?? "express-kakao-auth:revocations";
  const retentionMs = (options.retention ?? 60 * 24 * 60 * 60) * 1000;
  const push = options.push ?? true;
  const redis: KakaoRedis = adaptRedis(client);
  return {
    async revoke(member, at) {
      await withTimeout(redis.command(key, ["ZADD", key, "GT", String(at), member]));
      if (push)
        await withTimeout(redis.publish(key, JSON.stringify([member, at]))).catch((err: unknown) =>
          log.session("revocation push failed (the poll will carry it): %s", (err as Error).message),
        );
      await withTimeout(redis.command(key, ["ZREMRANGEBYSCORE", key, "-inf", String(Date.now() - retentionMs)]));
    },
    async changesSince(since) {
      const reply = (await withTimeout(
        redis.command(key, ["ZRANGEBYSCORE", key, String(since), "+inf", "WITHSCORES"]),
      )) as unknown[];
      const out: Array<[string, number]> = [];
      // RESP3 clients (ioredis 6) answer [member, score] pairs; RESP2 ones a flat list.
      if (reply.length > 0 && reply.every(Array.isArray))
        for (const [member, score] of reply as unknown[][]) out.push([String(member), Number(score)]);
      else for (let i = 0; i + 1 < reply.length; i += 2) out.push([String(reply[i]), Number(reply[i + 1])]);
      return out.filter(([, at]) => Number.isFinite(at));
    },
    async listen(apply) {
      if (!push) return;
      await redis.subscribe(key, (message) => {
        try {
          const [member, at] = JSON.parse(message) as [unknown, unknown];
          if (typeof member === "string" && typeof at === "number" && member.length <= 128) apply(member, at);
        } catch {
          log.session("ignored a malformed revocation message");
        }
      });
    },
  };
}
