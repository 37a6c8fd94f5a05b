import { Cluster } from "ioredis";
import { createCluster } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterAvailable, RedisCluster } from "./support/redis-cluster.js";

/*
 * What works on a real cluster, for whoever writes the multi-instance adapter (measured here on
 * redis-server 7.0, redis 5.12 / @redis/client, ioredis 6.0):
 *
 * node-redis `createCluster({ rootNodes })`, after `connect()`:
 * - `cluster.subscribe(channel, (message, channel) => …)` opens its own connection to one node
 *   (`cluster.pubSubNode`), so the same cluster object keeps serving commands; no duplicate() needed.
 * - `cluster.publish(channel, message)` goes to a random node; Redis forwards classic PUBLISH over
 *   the cluster bus, so a subscriber on any node receives it. Its reply counts only the receiving
 *   node's local subscribers (often 0): never read it as "delivered".
 * - `cluster.sSubscribe(channel, listener)` / `cluster.sPublish(channel, message)`: sharded pub/sub,
 *   both routed to the master owning the channel's slot. One channel per call (or channels sharing a
 *   hash tag): an array spanning slots fails with "CROSSSLOT Keys in request don't hash to the same slot".
 *
 * ioredis `new Cluster(ioredisNodes)`:
 * - `const sub = cluster.duplicate(); await sub.subscribe(channel); sub.on("message", (channel, message) => …)`
 *   (a connection in subscriber mode can run no other command, hence the duplicate).
 * - `cluster.publish(channel, message)`: as above, delivered cluster-wide, reply counts local only.
 * - Sharded: `ssubscribe` works only on a Cluster built with `{ shardedSubscribers: true }` (one
 *   subscriber per master), messages on `on("smessage", (channel, message) => …)`, sent with
 *   `cluster.spublish(channel, message)`. Without that option `ssubscribe` fails with "Too many
 *   Cluster redirections … MOVED" for channels whose slot is not on its one subscriber node.
 */

const KEYS = ["a", "b", "c", "{user1}x"];
const CHANNELS = ["{user1}events", "a-events", "b-events", "c-events"];

type NodeRedisCluster = ReturnType<typeof createCluster>;

async function nodeRedisCluster(cluster: RedisCluster): Promise<NodeRedisCluster> {
  const client = createCluster({ rootNodes: cluster.rootNodes });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

function ioredisCluster(cluster: RedisCluster, options: { shardedSubscribers?: boolean } = {}): Cluster {
  const client = new Cluster(cluster.ioredisNodes, options);
  client.on("error", () => undefined);
  return client;
}

/** Collects messages until `count` arrived or 3 s passed, whichever comes first. */
function inbox(count: number) {
  const messages: string[] = [];
  let arrived: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (arrived = resolve));
  return {
    push(channel: string, message: string) {
      messages.push(`${channel} ${message}`);
      if (messages.length >= count) arrived();
    },
    async received(): Promise<string[]> {
      await Promise.race([all, new Promise((r) => setTimeout(r, 3_000))]);
      return [...messages].sort();
    },
  };
}

describe.runIf(clusterAvailable())("RedisCluster (spec support): a real 3-master Redis Cluster", () => {
  const cluster = new RedisCluster();
  let nodeRedis: NodeRedisCluster;
  let ioredis: Cluster;

  beforeAll(async () => {
    await cluster.start();
    nodeRedis = await nodeRedisCluster(cluster);
    ioredis = ioredisCluster(cluster);
  });

  afterAll(async () => {
    await nodeRedis?.close().catch(() => undefined);
    ioredis?.disconnect();
    await cluster.stop();
  });

  it("runs three masters on distinct loopback ports whose keys a, b, c land on three different ones", async () => {
    expect(new Set(cluster.ports).size).toBe(3);
    expect(nodeRedis.masters.map((m) => m.port).sort()).toEqual([...cluster.ports].sort());
    const owners = await Promise.all(
      ["a", "b", "c"].map(async (key) => {
        const slot = Number(await nodeRedis.sendCommand(key, true, ["CLUSTER", "KEYSLOT", key]));
        return nodeRedis.slots[slot]!.master.port;
      }),
    );
    expect(new Set(owners).size).toBe(3);
  });

  it("serves SET and GET on every master through node-redis createCluster({ rootNodes })", async () => {
    for (const key of KEYS) await nodeRedis.set(key, `node-redis:${key}`);
    expect(await Promise.all(KEYS.map((key) => nodeRedis.get(key)))).toEqual(KEYS.map((k) => `node-redis:${k}`));
  });

  it("serves SET and GET on every master through ioredis new Cluster(ioredisNodes)", async () => {
    for (const key of KEYS) await ioredis.set(`io:${key}`, `ioredis:${key}`);
    expect(await Promise.all(KEYS.map((key) => ioredis.get(`io:${key}`)))).toEqual(KEYS.map((k) => `ioredis:${k}`));
    expect(await nodeRedis.get("io:{user1}x")).toBe("ioredis:{user1}x");
  });

  it("delivers a node-redis cluster.subscribe message published on each master and via cluster.publish", async () => {
    const box = inbox(4);
    await nodeRedis.subscribe("nr-broadcast", (message, channel) => box.push(channel, message));
    for (const master of nodeRedis.masters)
      await (await nodeRedis.nodeClient(master)).publish("nr-broadcast", `from ${master.port}`);
    await nodeRedis.publish("nr-broadcast", "via cluster");
    expect(await box.received()).toEqual(
      [...cluster.ports.map((p) => `nr-broadcast from ${p}`), "nr-broadcast via cluster"].sort(),
    );
    await nodeRedis.unsubscribe("nr-broadcast");
  });

  it("delivers node-redis cluster.sSubscribe messages sent with cluster.sPublish to each shard", async () => {
    const box = inbox(CHANNELS.length);
    // One call per channel: SSUBSCRIBE with channels of different slots is refused with CROSSSLOT.
    for (const channel of CHANNELS) await nodeRedis.sSubscribe(channel, (message, ch) => box.push(ch, message));
    for (const channel of CHANNELS) await nodeRedis.sPublish(channel, "sharded");
    expect(await box.received()).toEqual(CHANNELS.map((c) => `${c} sharded`).sort());
    for (const channel of CHANNELS) await nodeRedis.sUnsubscribe(channel);
  });

  it("delivers an ioredis duplicate().subscribe message published on each master and via cluster.publish", async () => {
    const sub = ioredis.duplicate();
    sub.on("error", () => undefined);
    const box = inbox(4);
    sub.on("message", (channel: string, message: string) => box.push(channel, message));
    await sub.subscribe("io-broadcast");
    for (const node of ioredis.nodes("master")) await node.publish("io-broadcast", `from ${node.options.port}`);
    await ioredis.publish("io-broadcast", "via cluster");
    expect(await box.received()).toEqual(
      [...cluster.ports.map((p) => `io-broadcast from ${p}`), "io-broadcast via cluster"].sort(),
    );
    sub.disconnect();
  });

  it("delivers ioredis ssubscribe messages on a { shardedSubscribers: true } Cluster sent with spublish", async () => {
    const sub = ioredisCluster(cluster, { shardedSubscribers: true });
    const box = inbox(CHANNELS.length);
    sub.on("smessage", (channel: string, message: string) => box.push(channel, message));
    for (const channel of CHANNELS) await sub.ssubscribe(channel);
    for (const channel of CHANNELS) await ioredis.spublish(channel, "sharded");
    expect(await box.received()).toEqual(CHANNELS.map((c) => `${c} sharded`).sort());
    sub.disconnect();
  });

  it("comes back ok with its AOF keys after kill() then restart() on the same ports", async () => {
    const ports = cluster.ports;
    for (const key of KEYS) await nodeRedis.set(`durable:${key}`, key);
    await nodeRedis.close();
    ioredis.disconnect();

    await cluster.kill();
    await cluster.restart();

    expect(cluster.ports).toEqual(ports);
    nodeRedis = await nodeRedisCluster(cluster);
    ioredis = ioredisCluster(cluster);
    expect(await Promise.all(KEYS.map((key) => nodeRedis.get(`durable:${key}`)))).toEqual(KEYS);
    expect(await Promise.all(KEYS.map((key) => ioredis.get(`durable:${key}`)))).toEqual(KEYS);
  });
});
