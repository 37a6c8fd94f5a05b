import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ReadyMessage, StatsMessage } from "./serve.js";

const SERVERS = fileURLToPath(new URL("../servers/", import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const live = new Set<ChildProcess>();

export interface ServerChild {
  name: string;
  url: string;
  cookie: string | undefined;
  extra: Record<string, string>;
  /** Memory (after a GC when `gc` and the child runs with --expose-gc) and CPU time of the child. */
  stats(gc?: boolean): Promise<StatsMessage>;
  stop(): Promise<void>;
}

/** Registers another process (redis-server) for `killAll()`. */
export function track(proc: ChildProcess): void {
  live.add(proc);
  proc.once("exit", () => live.delete(proc));
}

/** Kills what is still running (exit paths and signals); each child by its own pid. */
export function killAll(): void {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  live.clear();
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => child.once("exit", () => r()));
}

/**
 * Starts `bench/servers/<name>.ts` in its own `node --import tsx` process and waits (bounded) for
 * its `ready` message. `nodeArgs` go before the loader (e.g. `--cpu-prof`, `--expose-gc`).
 */
export async function startChild(
  name: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<ServerChild> {
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", `${SERVERS}${name}.ts`], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, NODE_ENV: "production", ...env },
  });
  live.add(child);
  child.once("exit", () => live.delete(child));
  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name}: not ready after ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    const onExit = (code: number | null) => reject(new Error(`${name}: exited with ${code} before it was ready`));
    child.once("exit", onExit);
    child.on("message", function onMessage(m: { type?: string }) {
      if (m?.type !== "ready") return;
      clearTimeout(timer);
      child.off("exit", onExit);
      child.off("message", onMessage);
      resolve(m as ReadyMessage);
    });
  }).catch((err: Error) => {
    child.kill("SIGKILL");
    throw err;
  });
  return {
    name,
    url: `http://127.0.0.1:${ready.port}`,
    cookie: ready.cookie,
    extra: ready.extra ?? {},
    stats: (gc = false) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no stats answer`)), 10_000);
        child.on("message", function onMessage(m: { type?: string }) {
          if (m?.type !== "stats") return;
          clearTimeout(timer);
          child.off("message", onMessage);
          resolve(m as StatsMessage);
        });
        child.send({ type: "stats", gc });
      }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
