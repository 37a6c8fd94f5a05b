import type { RevocationStore } from "./revocation.js";

/** The part of a Redis client we use: node-redis v4/v5 (`sendCommand`) or ioredis (`call`). */
export type RedisLike =
  { sendCommand(args: string[]): Promise<unknown> } | { call(command: string, ...args: string[]): Promise<unknown> };

export interface RedisRevocationStoreOptions {
  /** Sorted-set key (default `express-kakao-auth:revocations`). */
  key?: string;
  /** Forget revocations older than this, in seconds (default 60 days: no session outlives it). */
  retention?: number;
}

/**
 * Revocations shared through Redis: one sorted set, member = user id, score = revocation time.
 * `kakaoAuth({ revocationStore: redisRevocationStore(client) })` on every instance.
 */
export function redisRevocationStore(client: RedisLike, options: RedisRevocationStoreOptions = {}): RevocationStore {
  const key = options.key ?? "express-kakao-auth:revocations";
  const retentionMs = (options.retention ?? 60 * 24 * 60 * 60) * 1000;
  const send = (args: string[]): Promise<unknown> =>
    "sendCommand" in client ? client.sendCommand(args) : client.call(args[0]!, ...args.slice(1));
  return {
    async revoke(member, at) {
      await send(["ZADD", key, "GT", String(at), member]);
      await send(["ZREMRANGEBYSCORE", key, "-inf", String(Date.now() - retentionMs)]);
    },
    async changesSince(since) {
      const flat = (await send(["ZRANGEBYSCORE", key, String(since), "+inf", "WITHSCORES"])) as unknown[];
      const out: Array<[string, number]> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) out.push([String(flat[i]), Number(flat[i + 1])]);
      return out;
    },
  };
}
