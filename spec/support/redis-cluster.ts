import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "redis";

const HOST = "127.0.0.1";
const NODES = 3;
/** Redis Cluster's bus listens on port + 10000 (cluster-port default), so that port must be free too. */
const BUS_OFFSET = 10_000;
const READY_WITHIN_MS = 15_000;

/** Whether redis-server and redis-cli are on this machine; under CI=true their absence is a failure, not a skip. */
export function clusterAvailable(): boolean {
  const found = ["redis-server", "redis-cli"].every(
    (bin) => spawnSync(bin, ["--version"], { stdio: "ignore" }).status === 0,
  );
  if (!found && process.env.CI === "true")
    throw new Error("redis-server or redis-cli is missing in CI: .ci/run must `apt-get install -y redis-server`");
  if (!found)
    console.warn(
      "Skipping Redis Cluster specs: redis-server/redis-cli not installed (apt-get install -y redis-server).",
    );
  return found;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function isFree(port: number): Promise<boolean> {
  const srv = createServer();
  return new Promise((resolve) => {
    srv.once("error", () => resolve(false));
    srv.listen(port, HOST, () => srv.close(() => resolve(true)));
  });
}

/** Three consecutive ports from a random base in 20000–40000 whose bus ports (+10000) are free as well. */
async function freeClusterPorts(): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (20_000 - NODES));
    const ports = Array.from({ length: NODES }, (_, i) => base + i);
    const wanted = ports.flatMap((p) => [p, p + BUS_OFFSET]);
    if ((await Promise.all(wanted.map(isFree))).every(Boolean)) return ports;
  }
  throw new Error("found no 3 free loopback ports with free cluster bus ports (+10000) in 50 tries");
}

/** Sends one command to one node over a fresh connection that gives up fast instead of retrying. */
async function ask(port: number, command: string[]): Promise<string> {
  const probe = createClient({
    url: `redis://${HOST}:${port}`,
    socket: { reconnectStrategy: false, connectTimeout: 500 },
  });
  probe.on("error", () => undefined);
  try {
    await probe.connect();
    return await probe.sendCommand<string>(command);
  } finally {
    if (probe.isOpen) probe.destroy();
  }
}

function run(bin: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin} ${args.join(" ")} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Nodes still running when the spec process exits are killed so no redis-server outlives its spec. */
const live = new Set<ChildProcess>();
process.once("exit", () => live.forEach((p) => p.kill("SIGKILL")));

/**
 * A real 3-master Redis Cluster (no replicas) on loopback, persisting to a temp dir with AOF so that
 * kill() then restart() brings back the same cluster (nodes.conf) with its keys.
 */
export class RedisCluster {
  #dir: string | undefined;
  #ports: number[] = [];
  #procs = new Map<number, ChildProcess>();

  get ports(): number[] {
    return [...this.#ports];
  }

  /** For node-redis: `createCluster({ rootNodes })`. */
  get rootNodes(): { url: string }[] {
    return this.#ports.map((port) => ({ url: `redis://${HOST}:${port}` }));
  }

  /** For ioredis: `new Cluster(ioredisNodes)`. */
  get ioredisNodes(): { host: "127.0.0.1"; port: number }[] {
    return this.#ports.map((port) => ({ host: HOST, port }));
  }

  /** Starts three empty nodes, joins them with `redis-cli --cluster create`, waits for cluster_state:ok. */
  async start(): Promise<void> {
    if (this.#dir) throw new Error("RedisCluster already started: stop() it first");
    // Ports are only probed, not held, so another process may take one before redis-server binds it: retry.
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      this.#dir = mkdtempSync(join(tmpdir(), "eka-redis-cluster-"));
      this.#ports = await freeClusterPorts();
      try {
        await this.#startNodes();
        await run(
          "redis-cli",
          [
            "--cluster",
            "create",
            ...this.#ports.map((p) => `${HOST}:${p}`),
            "--cluster-replicas",
            "0",
            "--cluster-yes",
          ],
          READY_WITHIN_MS,
        );
        await this.#waitClusterOk();
        return;
      } catch (err) {
        lastError = err;
        await this.stop();
      }
    }
    throw lastError;
  }

  /** SIGKILLs every node, as a crash would: no shutdown save, only what the AOF already holds survives. */
  async kill(): Promise<void> {
    await Promise.all([...this.#procs.values()].map((p) => this.#end(p, "SIGKILL", 0)));
    this.#procs.clear();
  }

  /** Starts the same nodes on the same ports with their nodes.conf and AOF, and waits for cluster_state:ok. */
  async restart(): Promise<void> {
    if (!this.#dir) throw new Error("RedisCluster.restart() needs a started cluster whose files are still there");
    await this.kill();
    await this.#startNodes();
    await this.#waitClusterOk();
  }

  /** Stops every node (SIGTERM, then SIGKILL after 5 s) and removes the temp dir. */
  async stop(): Promise<void> {
    await Promise.all([...this.#procs.values()].map((p) => this.#end(p, "SIGTERM", 5_000)));
    this.#procs.clear();
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }

  async #startNodes(): Promise<void> {
    const dir = this.#dir!;
    for (const port of this.#ports) {
      const proc = spawn(
        "redis-server",
        [
          "--port",
          String(port),
          "--bind",
          HOST,
          "--protected-mode",
          "yes",
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          join(dir, `nodes-${port}.conf`),
          "--cluster-node-timeout",
          "2000",
          "--dir",
          dir,
          // One dir for all nodes, so each node's AOF dir, RDB and log carry its port.
          "--appendonly",
          "yes",
          "--appenddirname",
          `appendonly-${port}`,
          // A key acknowledged before kill() must survive it; everysec could lose the last second.
          "--appendfsync",
          "always",
          "--dbfilename",
          `dump-${port}.rdb`,
          "--save",
          "",
          "--logfile",
          join(dir, `redis-${port}.log`),
        ],
        { stdio: "ignore" },
      );
      live.add(proc);
      proc.once("exit", () => live.delete(proc));
      this.#procs.set(port, proc);
    }
    await Promise.all(this.#ports.map((port) => this.#waitPing(port)));
  }

  async #waitPing(port: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (let i = 0; i < 200; i++) {
      const proc = this.#procs.get(port);
      if (!proc || proc.exitCode !== null || proc.signalCode !== null)
        throw new Error(`redis-server on ${HOST}:${port} exited before answering PING\n${this.#logTail(port)}`);
      if ((await ask(port, ["PING"]).catch(() => "")) === "PONG") return;
      if (Date.now() > deadline) break;
      await sleep(50);
    }
    throw new Error(`redis-server on ${HOST}:${port} did not answer PING within 10 s\n${this.#logTail(port)}`);
  }

  async #waitClusterOk(): Promise<void> {
    const deadline = Date.now() + READY_WITHIN_MS;
    let infos: string[] = [];
    for (let i = 0; i < 300; i++) {
      infos = await Promise.all(this.#ports.map((p) => ask(p, ["CLUSTER", "INFO"]).catch((e: Error) => e.message)));
      if (infos.every((info) => /^cluster_state:ok\r?$/m.test(info))) return;
      if (Date.now() > deadline) break;
      await sleep(100);
    }
    const states = this.#ports.map((p, i) => `${p}: ${/^cluster_state:\w+/m.exec(infos[i] ?? "")?.[0] ?? infos[i]}`);
    throw new Error(`Redis Cluster not ok within ${READY_WITHIN_MS / 1000} s (${states.join(", ")})`);
  }

  #logTail(port: number): string {
    try {
      return readFileSync(join(this.#dir!, `redis-${port}.log`), "utf8")
        .split("\n")
        .slice(-15)
        .join("\n");
    } catch {
      return "(no log)";
    }
  }

  async #end(proc: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill(signal);
    if (graceMs > 0 && (await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]))) return;
    if (signal !== "SIGKILL") proc.kill("SIGKILL");
    await exited;
  }
}
