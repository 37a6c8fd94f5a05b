import { Cluster, Redis } from "ioredis";
import { createClient, createCluster } from "redis";

/**
 * Which client an instance hands to `kakaoAuth({ redis })`, and where it connects: plain data, so a
 * child process (spec/fixtures/redis-instance.ts) can build the same client from an env variable.
 */
export type RedisTarget =
  | { kind: "node-redis" | "ioredis"; url: string; username?: string; password?: string }
  | {
      kind: "node-redis-cluster" | "ioredis-cluster";
      nodes: { host: string; port: number }[];
      username?: string;
      password?: string;
    };

/** One connected client of an app instance. */
export interface AppRedis {
  /** What goes into `kakaoAuth({ redis })`. */
  client: unknown;
  /** Resolves once a GET reaches every master again (after a restart), within `withinMs`. */
  ready(withinMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Keys that land on three different masters of a 3-master cluster (slots 15495, 3300, 7365). */
const ONE_KEY_PER_MASTER = ["a", "b", "c"];

/** Reconnects quickly (the specs restart Redis and wait for the instances to come back). */
const reconnectStrategy = (retries: number): number => Math.min(50 * (retries + 1), 500);

/**
 * The client an app would run: node-redis fails fast while Redis is down (`disableOfflineQueue`,
 * as the README recommends); ioredis keeps its default offline queue, so its commands hang until
 * the package's own 1 s Redis timeout gives up on them — both fallbacks get exercised.
 */
export async function connectRedis(target: RedisTarget): Promise<AppRedis> {
  const auth = target.username ? { username: target.username, password: target.password } : {};
  let get: (key: string) => Promise<unknown>;
  let client: unknown;
  let close: () => Promise<void>;
  switch (target.kind) {
    case "node-redis": {
      const c = createClient({
        url: target.url,
        ...auth,
        disableOfflineQueue: true,
        socket: { connectTimeout: 1000, reconnectStrategy },
      });
      c.on("error", () => undefined);
      await c.connect();
      client = c;
      get = (key) => c.sendCommand(["GET", key]);
      close = async () => void (await c.quit().catch(() => c.destroy()));
      break;
    }
    case "node-redis-cluster": {
      const c = createCluster({
        rootNodes: target.nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
        defaults: { ...auth, disableOfflineQueue: true, socket: { connectTimeout: 1000, reconnectStrategy } },
      });
      c.on("error", () => undefined);
      await c.connect();
      client = c;
      get = (key) => c.sendCommand(key, true, ["GET", key]);
      close = async () => void (await c.close().catch(() => c.destroy()));
      break;
    }
    case "ioredis": {
      const { hostname, port } = new URL(target.url);
      const c = new Redis({ host: hostname, port: Number(port), ...auth });
      c.on("error", () => undefined);
      client = c;
      get = (key) => c.call("GET", key);
      close = () => Promise.resolve(c.disconnect());
      break;
    }
    case "ioredis-cluster": {
      const c = new Cluster(target.nodes, { redisOptions: auth });
      c.on("error", () => undefined);
      client = c;
      get = (key) => c.call("GET", key);
      close = () => Promise.resolve(c.disconnect());
      break;
    }
  }
  const ready = async (withinMs = 15_000): Promise<void> => {
    const deadline = Date.now() + withinMs;
    let last: unknown;
    for (let i = 0; i < 1_000 && Date.now() < deadline; i++) {
      const answers = await Promise.allSettled(ONE_KEY_PER_MASTER.map((key) => withTimeout(get(key), 500)));
      const failed = answers.find((a) => a.status === "rejected");
      if (!failed) return;
      last = failed.reason;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Redis (${target.kind}) not reachable within ${withinMs} ms: ${(last as Error)?.message}`);
  };
  await ready();
  return { client, ready, close };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}
