import { createHash, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { decryptJwe, encryptJwe, type JweKey } from "../authjs/jwe.js";
import { KakaoOAuthError } from "../errors.js";
import { log } from "../log.js";
import type { KakaoTokens } from "../types.js";
import { withTimeout, type KakaoRedis } from "./adapter.js";

/** Longest a refresh at Kakao may hold the lock (the client's own timeout is shorter by default). */
const LOCK_MS = 15_000;
/** How long the winner's tokens answer the others (their browsers' parallel requests). */
const RESULT_MS = 30_000;
/** How often and how long a loser looks for the winner's tokens (bounded: 200 × 50 ms). */
const POLL_MS = 50;
const POLL_TRIES = 200;

/** The tokens a process got from Kakao for one refresh token, or that Redis handed it. */
export type Refresh = () => Promise<KakaoTokens>;

/**
 * One refresh per session across all instances: Kakao rotates refresh tokens and a rotated one
 * kills the old (kakao-api.md §3.5), so instances racing one refresh sign the user out. The first
 * instance takes a short lock (`SET NX PX`) keyed by the refresh token's hash, refreshes, and
 * leaves the new tokens in Redis for a short window, encrypted with the app secret; the others
 * wait for them instead of calling Kakao. When Redis fails, each process refreshes on its own
 * (the per-process single flight, and the retry answer for a lost race) — never a sign-out.
 */
export class RefreshCoordinator {
  readonly #redis: KakaoRedis;
  readonly #keys: JweKey[];
  /** Calls to Kakao this process made as the winner (what specs and the bench count). */
  refreshes = 0;

  constructor(redis: KakaoRedis, keys: JweKey[]) {
    this.#redis = redis;
    this.#keys = keys;
  }

  #seal(tokens: KakaoTokens): string {
    const now = Math.floor(Date.now() / 1000);
    return encryptJwe({ tokens }, this.#keys[0]!, now + RESULT_MS / 1000, now);
  }

  #open(value: unknown): KakaoTokens | undefined {
    if (typeof value !== "string") return undefined;
    const tokens = decryptJwe(value, this.#keys)?.tokens as KakaoTokens | undefined;
    return tokens && typeof tokens.accessToken === "string" ? tokens : undefined;
  }

  async refresh(tokens: KakaoTokens, refresh: Refresh, turn = 0): Promise<KakaoTokens> {
    const hash = createHash("sha256")
      .update(tokens.refreshToken ?? tokens.accessToken)
      .digest("base64url");
    // One hash tag: both keys live in the same slot of a Cluster.
    const resultKey = `express-kakao-auth:refresh:{${hash}}:tokens`;
    const lockKey = `express-kakao-auth:refresh:{${hash}}:lock`;
    const redis = this.#redis;
    let won = false;
    try {
      const done = this.#open(await withTimeout(redis.command(resultKey, ["GET", resultKey])));
      if (done) return done;
      const me = randomUUID();
      won = (await withTimeout(redis.command(lockKey, ["SET", lockKey, me, "NX", "PX", String(LOCK_MS)]))) === "OK";
    } catch (err) {
      log.api("redis unavailable for the refresh lock (%s): refreshing in this process", (err as Error).message);
      return refresh();
    }
    if (won) {
      this.refreshes++;
      const next = await refresh().catch(async (err: unknown) => {
        await withTimeout(redis.command(lockKey, ["DEL", lockKey])).catch(() => undefined);
        throw err;
      });
      await withTimeout(redis.command(resultKey, ["SET", resultKey, this.#seal(next), "PX", String(RESULT_MS)])).catch(
        (err: unknown) => log.api("could not share refreshed tokens: %s", (err as Error).message),
      );
      return next;
    }
    // Another instance is refreshing: wait for its tokens (bounded), never call Kakao with ours.
    for (let i = 0; i < POLL_TRIES; i++) {
      await sleep(POLL_MS, undefined, { ref: false });
      let value: unknown;
      let locked: unknown;
      try {
        value = await withTimeout(redis.command(resultKey, ["GET", resultKey]));
        if (value === null) locked = await withTimeout(redis.command(lockKey, ["EXISTS", lockKey]));
      } catch (err) {
        log.api("redis failed while waiting for a refresh (%s): refreshing in this process", (err as Error).message);
        return refresh();
      }
      const done = this.#open(value);
      if (done) return done;
      // The winner failed and let go of the lock: its error was its own; take our turn.
      if (value === null && (locked === 0 || locked === "0") && turn < 2)
        return this.refresh(tokens, refresh, turn + 1);
    }
    throw new KakaoOAuthError({
      error: "temporarily_unavailable",
      code: "ERR_KAKAO_REFRESH_RETRY",
      message: "Another instance is still refreshing this session's tokens. Retry the request.",
    });
  }
}
