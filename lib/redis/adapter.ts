import { log } from "../log.js";

/**
 * The few Redis operations the package needs, over whichever client the app already runs:
 * node-redis (`createClient`, `createCluster`) or ioredis (`Redis`, `Cluster`). Every command
 * names its one key, so it routes to that key's slot on a Cluster.
 */
export interface KakaoRedis {
  command(key: string, args: string[]): Promise<unknown>;
  publish(channel: string, message: string): Promise<void>;
  /** Listens on `channel` over a connection of its own (a subscribed connection runs no commands). */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<void>;
}

/** How long one Redis call may take before the caller falls back to working without Redis. */
export const REDIS_TIMEOUT_MS = 1_000;

type Fn = (...args: never[]) => unknown;
interface Duck {
  [key: string]: unknown;
}

const fn = (value: unknown, name: string): Fn | undefined => {
  const f = (value as Duck | null)?.[name];
  return typeof f === "function" ? (f as Fn).bind(value) : undefined;
};

/** Rejects when Redis takes longer than `ms`: a hung Redis must not hang the request. */
export function withTimeout<T>(p: Promise<T>, ms = REDIS_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

/** What kind of client `value` is, or `undefined` when it is none of the supported ones. */
export function redisKind(value: unknown): "ioredis" | "node-redis-cluster" | "node-redis" | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  if (fn(value, "call") && fn(value, "duplicate")) return "ioredis";
  if (fn(value, "sendCommand") && "masters" in value) return "node-redis-cluster";
  if (fn(value, "sendCommand") && fn(value, "duplicate")) return "node-redis";
  return undefined;
}

/** Wraps a supported client; `kind` comes from `redisKind` (config validation ran it already). */
export function adaptRedis(client: unknown): KakaoRedis {
  const kind = redisKind(client);
  if (kind === "ioredis") {
    const call = fn(client, "call") as unknown as (cmd: string, ...args: string[]) => Promise<unknown>;
    return {
      command: (_key, [cmd, ...args]) => call(cmd!, ...args),
      publish: async (channel, message) => void (await call("PUBLISH", channel, message)),
      async subscribe(channel, onMessage) {
        const sub = (fn(client, "duplicate") as unknown as () => Duck)();
        (fn(sub, "on") as unknown as (e: string, l: (...a: unknown[]) => void) => void)("error", (err) =>
          log.session("redis subscriber: %s", (err as Error).message),
        );
        (fn(sub, "on") as unknown as (e: string, l: (ch: string, m: string) => void) => void)("message", (ch, m) => {
          if (ch === channel) onMessage(m);
        });
        // With enableOfflineQueue: false a command before "ready" fails: subscribe once connected
        // (ioredis subscribes again by itself after a reconnect).
        const subscribe = () => (fn(sub, "subscribe") as unknown as (ch: string) => Promise<unknown>)(channel);
        // ioredis has no unref(): the subscriber ends with the app's client, so the process can exit.
        (fn(client, "once") as unknown as (e: string, l: () => void) => void)("end", () =>
          (fn(sub, "disconnect") as unknown as () => void)(),
        );
        if (sub.status === "ready") await subscribe();
        else
          (fn(sub, "once") as unknown as (e: string, l: () => void) => void)("ready", () => {
            subscribe().catch((err: unknown) => log.session("redis subscribe failed: %s", (err as Error).message));
          });
        fn(sub, "unref")?.();
      },
    };
  }
  if (kind === "node-redis-cluster") {
    const send = fn(client, "sendCommand") as unknown as (key: string, ro: boolean, args: string[]) => Promise<unknown>;
    return {
      command: (key, args) => send(key, false, args),
      publish: async (channel, message) => void (await send(channel, false, ["PUBLISH", channel, message])),
      // The cluster client keeps a pub/sub connection of its own to one node; PUBLISH reaches every node.
      subscribe: async (channel, onMessage) =>
        void (await (fn(client, "subscribe") as unknown as (ch: string, l: (m: string) => void) => Promise<void>)(
          channel,
          onMessage,
        )),
    };
  }
  const send = fn(client, "sendCommand") as unknown as (args: string[]) => Promise<unknown>;
  return {
    command: (_key, args) => send(args),
    publish: async (channel, message) => void (await send(["PUBLISH", channel, message])),
    async subscribe(channel, onMessage) {
      const sub = (fn(client, "duplicate") as unknown as () => Duck)();
      (fn(sub, "on") as unknown as (e: string, l: (err: Error) => void) => void)("error", (err) =>
        log.session("redis subscriber: %s", err.message),
      );
      await (fn(sub, "connect") as unknown as () => Promise<unknown>)();
      await (fn(sub, "subscribe") as unknown as (ch: string, l: (m: string) => void) => Promise<void>)(
        channel,
        onMessage,
      );
      // A subscriber the app never sees must not keep its process alive.
      fn(sub, "unref")?.();
    },
  };
}
