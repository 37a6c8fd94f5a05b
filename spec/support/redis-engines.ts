import { clusterAvailable, RedisCluster } from "./redis-cluster.js";
import { redisAvailable, RedisServer } from "./redis.js";
import type { RedisTarget } from "./redis-clients.js";

/** A real Redis the multi-instance specs can take away and bring back, whatever its topology. */
export interface RedisEngine {
  readonly topology: "standalone" | "cluster";
  start(): Promise<void>;
  /** Takes Redis away: the standalone server stops, every cluster node is killed (as in a crash). */
  down(): Promise<void>;
  /** Brings the same Redis back on the same ports with its data (AOF, appendfsync always). */
  up(): Promise<void>;
  destroy(): Promise<void>;
  /** Every node's port on 127.0.0.1. */
  readonly ports: number[];
  /** Where a client of this kind connects (`kind` must fit the topology). */
  target(kind: RedisTarget["kind"], auth?: { username: string; password: string }): RedisTarget;
}

/** Whether this topology can run here (under CI=true a missing redis-server fails instead). */
export function engineAvailable(topology: RedisEngine["topology"]): boolean {
  return topology === "standalone" ? redisAvailable() : clusterAvailable();
}

export function redisEngine(topology: RedisEngine["topology"]): RedisEngine {
  return topology === "standalone" ? standalone() : cluster();
}

function standalone(): RedisEngine {
  const server = new RedisServer();
  return {
    topology: "standalone",
    start: () => server.start(),
    down: () => server.stop(),
    // start() keeps the port it first took, and the AOF in its dir.
    up: () => server.start(),
    destroy: () => server.destroy(),
    get ports() {
      return [server.port];
    },
    target(kind, auth) {
      if (kind !== "node-redis" && kind !== "ioredis") throw new Error(`${kind} does not fit a standalone server`);
      return { kind, url: server.url, ...auth };
    },
  };
}

function cluster(): RedisEngine {
  const nodes = new RedisCluster();
  return {
    topology: "cluster",
    start: () => nodes.start(),
    down: () => nodes.kill(),
    up: () => nodes.restart(),
    destroy: () => nodes.stop(),
    get ports() {
      return nodes.ports;
    },
    target(kind, auth) {
      if (kind !== "node-redis-cluster" && kind !== "ioredis-cluster")
        throw new Error(`${kind} does not fit a Redis Cluster`);
      return { kind, nodes: nodes.ioredisNodes, ...auth };
    },
  };
}
