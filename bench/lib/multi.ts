import { createClient } from "redis";
import { startChild, type ServerChild } from "./child.js";
import { USER_ID } from "./constants.js";
import { load, verify } from "./load.js";
import type { RedisServer } from "./redis.js";
import { log, type Settings } from "./settings.js";
import type { Row } from "./table.js";

const INSTANCES = 3;

/** Redis commands processed so far (INFO stats), to count round trips per request. */
async function redisCommands(url: string): Promise<number> {
  const c = createClient({ url });
  await c.connect();
  try {
    const info = await c.info("stats");
    return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
  } finally {
    await c.close();
  }
}

/**
 * Three instances of one app behind a client that spreads its connections over them (one
 * autocannon per instance, a third of the connections each), signed-in `GET /me`, with and
 * without `redis`. Reports the combined throughput, server CPU per request over all three, and
 * for the Redis side the Redis commands per request (the registry and refresh lock must add none
 * on a cache hit).
 */
export async function runMulti(s: Settings, redis: RedisServer | undefined, variant: "plain" | "redis"): Promise<Row> {
  const id = variant === "redis" ? "multi-redis" : "multi-plain";
  const label = `3 instances, round-robin: ${variant === "redis" ? "kakaoAuth({ redis })" : "kakaoAuth()"}`;
  if (variant === "redis" && !redis)
    return { id, label, error: "redis-server not installed", skipped: process.env.CI !== "true" };
  const env = (i: number) => ({
    BENCH_INSTANCE: String(i),
    ...(variant === "redis" ? { BENCH_REDIS_URL: redis!.url } : {}),
  });
  const children: ServerChild[] = [];
  try {
    for (let i = 0; i < INSTANCES; i++) children.push(await startChild("kakao-multi", env(i)));
    const cookie = children[0]!.cookie!;
    for (const c of children) await verify(`${c.url}/me`, { cookie }, (b) => b.includes(USER_ID));
    const cpu = async () => (await Promise.all(children.map((c) => c.stats()))).reduce((a, st) => a + st.cpu, 0);
    const before = variant === "redis" ? await redisCommands(redis!.url) : 0;
    const cpu0 = await cpu();
    const results = await Promise.all(
      children.map((c) =>
        load({
          url: `${c.url}/me`,
          session: { cookie },
          seconds: s.seconds,
          warmupSeconds: s.warmup,
          connections: Math.max(1, Math.round(s.connections / INSTANCES)),
        }),
      ),
    );
    const cpu1 = await cpu();
    const after = variant === "redis" ? await redisCommands(redis!.url) : 0;
    const requests = results.reduce((a, r) => a + r.requests, 0);
    const bad = results.reduce((a, r) => a + r.errors + r.non2xx + r.timeouts, 0);
    if (bad || requests === 0) return { id, label, error: `${bad} failed of ${requests}` };
    // INFO itself and the warm-up fall outside the measured window only partly: subtract INFO's own two.
    const perRequest = variant === "redis" ? Math.max(0, after - before - 2) / requests : undefined;
    if (perRequest !== undefined) log(`  redis commands per request: ${perRequest.toFixed(4)}`);
    return {
      id,
      label,
      rps: results.reduce((a, r) => a + r.rps, 0),
      p50: Math.max(...results.map((r) => r.p50)),
      p99: Math.max(...results.map((r) => r.p99)),
      cpu: (cpu1 - cpu0) / requests,
      ...(perRequest === undefined ? {} : { redisPerRequest: perRequest }),
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}
