import { Cluster } from "ioredis";
import { createClient, createCluster } from "redis";
import { clusterAvailable, RedisCluster } from "./redis-cluster.js";
import { redisAvailable, redisClient, RedisServer } from "./redis.js";

/**
 * The Redis engines the registry specs run on, each with the client an app would hand to
 * `kakaoAuth({ redis })`, set up as the README says: commands fail at once while Redis is away
 * (node-redis `disableOfflineQueue`, ioredis `enableOfflineQueue: false`) instead of queueing.
 */
export interface RegistryTopology {
  readonly name: string;
  /** Whether the engine's binaries are on this machine (under CI=true, their absence throws). */
  available(): boolean;
  start(): Promise<void>;
  /** A new connected client, as one app instance would make it. */
  client(): Promise<unknown>;
  /** Calls per command since the engine started, summed over its nodes (`INFO commandstats`). */
  commandCalls(): Promise<Record<string, number>>;
  /** Closes every client it made, then the engine. */
  stop(): Promise<void>;
}

/** Commands that timers send whatever the requests do: the revocation poll, slot refreshes, our own INFO. */
const BACKGROUND = new Set(["info", "zrangebyscore", "cluster", "ping"]);

/**
 * What `after` counts beyond `before`, per command, leaving out the background commands: the Redis
 * round trips that the requests in between caused.
 */
export function requestPathCommands(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [cmd, calls] of Object.entries(after)) {
    const delta = calls - (before[cmd] ?? 0);
    if (delta > 0 && !BACKGROUND.has(cmd.split("|")[0]!)) out[cmd] = delta;
  }
  return out;
}

/** `cmdstat_hset:calls=3,usec=…` lines → `{ hset: 3 }`. */
function parseCommandStats(info: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

function sum(stats: Array<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of stats) for (const [k, v] of Object.entries(s)) out[k] = (out[k] ?? 0) + v;
  return out;
}

type NodeRedis = ReturnType<typeof createClient>;

/** One probe connection per node, kept open so counting does not add connection handshakes. */
async function probe(url: string): Promise<NodeRedis> {
  const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 1000 } });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

const countOn = async (probes: NodeRedis[]) =>
  sum(
    await Promise.all(
      probes.map(async (p) => parseCommandStats(await p.sendCommand<string>(["INFO", "commandstats"]))),
    ),
  );

/** A real redis-server with node-redis `createClient`; `pause()`/`resume()` stop and restart it. */
export class StandaloneTopology implements RegistryTopology {
  readonly name = "a standalone redis-server with node-redis createClient";
  readonly server = new RedisServer();
  readonly #clients: NodeRedis[] = [];
  #probe: NodeRedis | undefined;

  available(): boolean {
    return redisAvailable();
  }

  async start(): Promise<void> {
    await this.server.start();
  }

  async client(): Promise<NodeRedis> {
    const client = await redisClient(this.server.url);
    this.#clients.push(client);
    return client;
  }

  async commandCalls(): Promise<Record<string, number>> {
    this.#probe ??= await probe(this.server.url);
    return countOn([this.#probe]);
  }

  /** Stops redis-server, as a crash or a restart would take it away. */
  async pause(): Promise<void> {
    this.#probe?.destroy();
    this.#probe = undefined;
    await this.server.stop();
  }

  /** Starts it again on its port and data (AOF), and waits until every client made here is ready again. */
  async resume(): Promise<void> {
    await this.server.start();
    const deadline = Date.now() + 5_000;
    while (this.#clients.some((c) => !c.isReady)) {
      if (Date.now() > deadline) throw new Error("node-redis clients did not reconnect within 5 s");
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /**
   * Runs `during` with redis-server frozen (SIGSTOP): connections stay open and commands go
   * unanswered, as with a hung Redis, until it is thawed (SIGCONT) however `during` ends.
   */
  async whileFrozen<T>(during: () => Promise<T>): Promise<T> {
    this.#probe ??= await probe(this.server.url);
    const info = await this.#probe.sendCommand<string>(["INFO", "server"]);
    const pid = Number(/^process_id:(\d+)/m.exec(info)?.[1]);
    process.kill(pid, "SIGSTOP");
    try {
      return await during();
    } finally {
      process.kill(pid, "SIGCONT");
    }
  }

  async stop(): Promise<void> {
    this.#probe?.destroy();
    for (const c of this.#clients.splice(0)) if (c.isOpen) c.destroy();
    await this.server.destroy();
  }
}

abstract class ClusterTopology implements RegistryTopology {
  abstract readonly name: string;
  readonly cluster = new RedisCluster();
  #probes: NodeRedis[] = [];

  available(): boolean {
    return clusterAvailable();
  }

  async start(): Promise<void> {
    await this.cluster.start();
  }

  abstract client(): Promise<unknown>;

  async commandCalls(): Promise<Record<string, number>> {
    if (this.#probes.length === 0) this.#probes = await Promise.all(this.cluster.rootNodes.map((n) => probe(n.url)));
    return countOn(this.#probes);
  }

  protected abstract closeClients(): Promise<void>;

  async stop(): Promise<void> {
    for (const p of this.#probes.splice(0)) p.destroy();
    await this.closeClients();
    await this.cluster.stop();
  }
}

/** The 3-master cluster with node-redis `createCluster`. */
export class NodeRedisClusterTopology extends ClusterTopology {
  readonly name = "a 3-master Redis Cluster with node-redis createCluster";
  readonly #clients: Array<ReturnType<typeof createCluster>> = [];

  async client(): Promise<ReturnType<typeof createCluster>> {
    const client = createCluster({
      rootNodes: this.cluster.rootNodes,
      defaults: { disableOfflineQueue: true, socket: { connectTimeout: 1000 } },
    });
    client.on("error", () => undefined);
    await client.connect();
    this.#clients.push(client);
    return client;
  }

  protected async closeClients(): Promise<void> {
    for (const c of this.#clients.splice(0)) await c.close().catch(() => undefined);
  }
}

/** The 3-master cluster with ioredis `Cluster`. */
export class IoredisClusterTopology extends ClusterTopology {
  readonly name = "a 3-master Redis Cluster with ioredis Cluster";
  readonly #clients: Cluster[] = [];

  async client(): Promise<Cluster> {
    const client = new Cluster(this.cluster.ioredisNodes, { enableOfflineQueue: false });
    client.on("error", () => undefined);
    await new Promise<void>((resolve, reject) => {
      client.once("ready", resolve);
      client.once("end", () => reject(new Error("ioredis Cluster ended before it was ready")));
    });
    this.#clients.push(client);
    return client;
  }

  protected closeClients(): Promise<void> {
    for (const c of this.#clients.splice(0)) c.disconnect();
    return Promise.resolve();
  }
}
