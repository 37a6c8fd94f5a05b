import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { startInstanceProcess, type InstanceProcess } from "../support/instance-process.js";
import type { RedisTarget } from "../support/redis-clients.js";
import { engineAvailable, redisEngine, type RedisEngine } from "../support/redis-engines.js";
import { waitForRevocationSubscribers } from "../support/revocation-probes.js";

/** Long enough for a process with nothing left to do to end; far shorter than a hung shutdown. */
const EXIT_WITHIN_MS = 3_000;

const SETUPS: { topology: RedisEngine["topology"]; kinds: RedisTarget["kind"][]; label: string }[] = [
  { topology: "standalone", kinds: ["node-redis", "ioredis"], label: "a redis-server" },
  { topology: "cluster", kinds: ["node-redis-cluster", "ioredis-cluster"], label: "a 3-master Redis Cluster" },
];

for (const { topology, kinds, label } of SETUPS)
  describe.runIf(engineAvailable(topology))(
    `graceful shutdown of an instance with kakaoAuth({ redis }) on ${label}`,
    () => {
      const emu = useEmulator();
      const engine = redisEngine(topology);
      const instances = new Map<RedisTarget["kind"], InstanceProcess>();

      beforeAll(async () => {
        await engine.start();
        for (const kind of kinds) instances.set(kind, await startInstanceProcess(emu.get(), engine.target(kind)));
        // Each listens for pushed revocations, over a connection kakaoAuth() opened itself.
        await waitForRevocationSubscribers(engine, kinds.length);
      });
      afterAll(async () => {
        await Promise.all([...instances.values()].map((i) => i.stop()));
        await engine.destroy();
      });

      for (const kind of kinds)
        it(`lets the process exit once the app closed its server and quit its ${kind} client`, async () => {
          const instance = instances.get(kind)!;
          expect((await fetch(`${instance.url}/shutdown`, { method: "POST" })).status).toBe(200);
          expect(await instance.exitsWithin(EXIT_WITHIN_MS), "the process was still running").toBe(true);
        });
    },
  );
