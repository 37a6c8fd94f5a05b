import { performance } from "node:perf_hooks";
import { createClient, createCluster } from "redis";
import type { RedisEngine } from "./redis-engines.js";
import { whoamiWith } from "./session-requests.js";

/** The sorted set and pub/sub channel `kakaoAuth({ redis })` shares revocations through. */
export const REVOCATION_CHANNEL = "express-kakao-auth:revocations";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs one command on every node of the engine, over a fresh connection as the default user. */
async function onEveryNode(engine: RedisEngine, command: string[]): Promise<unknown[]> {
  return Promise.all(
    engine.ports.map(async (port) => {
      const probe = createClient({
        url: `redis://127.0.0.1:${port}`,
        socket: { reconnectStrategy: false, connectTimeout: 1000 },
      });
      probe.on("error", () => undefined);
      await probe.connect();
      try {
        return await probe.sendCommand(command);
      } finally {
        probe.destroy();
      }
    }),
  );
}

/** Clients subscribed to the revocation channel, summed over the nodes (a cluster counts per node). */
export async function revocationSubscribers(engine: RedisEngine): Promise<number> {
  const answers = (await onEveryNode(engine, ["PUBSUB", "NUMSUB", REVOCATION_CHANNEL])) as [string, number][];
  return answers.reduce((sum, [, count]) => sum + Number(count), 0);
}

/** Waits (bounded: 10 s) until `count` clients listen for pushed revocations. */
export async function waitForRevocationSubscribers(engine: RedisEngine, count: number): Promise<void> {
  let seen = 0;
  for (let i = 0; i < 200; i++) {
    seen = await revocationSubscribers(engine);
    if (seen >= count) return;
    await sleep(50);
  }
  throw new Error(`${seen} of ${count} instances subscribed to ${REVOCATION_CHANNEL} within 10 s`);
}

/** A Redis user on every node that may do anything but PUBLISH: its revocations are never pushed. */
export async function addUserWithoutPublish(engine: RedisEngine, username: string, password: string): Promise<void> {
  await onEveryNode(engine, ["ACL", "SETUSER", username, "on", `>${password}`, "~*", "&*", "+@all", "-publish"]);
}

/** Every message on the revocation channel, as the spec's own subscriber received it. */
export async function recordRevocationMessages(
  engine: RedisEngine,
): Promise<{ messages: string[]; close(): Promise<void> }> {
  const messages: string[] = [];
  const listener = (message: string) => void messages.push(message);
  if (engine.topology === "standalone") {
    const sub = createClient({ url: `redis://127.0.0.1:${engine.ports[0]}` });
    sub.on("error", () => undefined);
    await sub.connect();
    await sub.subscribe(REVOCATION_CHANNEL, listener);
    return { messages, close: () => Promise.resolve(sub.destroy()) };
  }
  const sub = createCluster({ rootNodes: engine.ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })) });
  sub.on("error", () => undefined);
  await sub.connect();
  await sub.subscribe(REVOCATION_CHANNEL, listener);
  return { messages, close: () => Promise.resolve(sub.destroy()) };
}

/**
 * Milliseconds from `startedAt` (a `performance.now()`) until the instance at `url` answers
 * `/whoami` for this Cookie header as anonymous, asking back to back; `Infinity` when it still
 * accepted the session after `withinMs`.
 */
export async function msUntilRefused(
  url: string,
  cookie: string,
  startedAt: number,
  withinMs: number,
): Promise<number> {
  for (let i = 0; i < 100_000; i++) {
    const { status, user } = await whoamiWith(url, cookie);
    const elapsed = performance.now() - startedAt;
    if (status === 200 && user === null) return elapsed;
    if (elapsed > withinMs) break;
  }
  return Infinity;
}

/** The nearest-rank percentile `p` (0–100) of `values`. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
