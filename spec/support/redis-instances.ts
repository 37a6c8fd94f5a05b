import { afterAll, beforeAll } from "vitest";
import type { KakaoAuthOptions } from "../../lib/index.js";
import type { KakaoEmulator } from "../../lib/testing/index.js";
import { buildApp, type ExpressMajor } from "./app.js";
import { kakaoContextRoutes } from "./kakao-routes.js";
import { connectRedis, type AppRedis } from "./redis-clients.js";
import type { RedisEngine } from "./redis-engines.js";
import { listen, type Listening } from "./server.js";

/** App instances in this process, each with a Redis client of its own, as behind a load balancer. */
export interface RedisInstances {
  readonly urls: string[];
  /** Each instance's client, in the order of `urls`. */
  readonly redis: AppRedis[];
  /** Resolves once every instance's client reaches every master again (after `engine.up()`). */
  ready(): Promise<void>;
}

/**
 * Starts the engine, then one fixture app per Express major (with `kakaoContextRoutes`), each on
 * its own client of `kind` passed as `kakaoAuth({ redis })`; tears all down after the file's specs.
 */
export function useRedisInstances(
  getEmulator: () => KakaoEmulator,
  engine: RedisEngine,
  kind: Parameters<RedisEngine["target"]>[0],
  majors: ExpressMajor[],
  options: KakaoAuthOptions = {},
): RedisInstances {
  const apps: Listening[] = [];
  const clients: AppRedis[] = [];
  beforeAll(async () => {
    await engine.start();
    for (const major of majors) {
      const redis = await connectRedis(engine.target(kind));
      clients.push(redis);
      const app = buildApp({
        express: major,
        emulator: getEmulator(),
        options: { ...options, redis: redis.client },
        routes: kakaoContextRoutes,
      });
      apps.push(await listen(app));
    }
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await Promise.all(clients.map((c) => c.close()));
    await engine.destroy();
  });
  return {
    get urls() {
      return apps.map((a) => a.url);
    },
    redis: clients,
    ready: async () => void (await Promise.all(clients.map((c) => c.ready()))),
  };
}
