import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { KakaoEmulator } from "../../lib/testing/index.js";
import { SECRET, type ExpressMajor } from "./app.js";
import type { RedisTarget } from "./redis-clients.js";

/** What spec/fixtures/redis-instance.ts builds its app from (passed as JSON in EKA_INSTANCE). */
export interface InstanceConfig {
  express: ExpressMajor;
  kakao: KakaoEmulator["options"];
  secret: string;
  redis: RedisTarget;
  /** Seconds; the package's default (5) when absent. */
  revocationPollInterval?: number;
}

/** An app instance running in a child process: `/whoami`, `POST /revoke/:id`, and the auth routes. */
export interface InstanceProcess {
  readonly url: string;
  /** Whether the process ended by itself within `ms` (after `POST /shutdown`, say). */
  exitsWithin(ms: number): Promise<boolean>;
  stop(): Promise<void>;
}

const FIXTURE = fileURLToPath(new URL("../fixtures/redis-instance.ts", import.meta.url));
const READY_WITHIN_MS = 20_000;

/** Children still running when the spec process exits are killed, so none outlives its spec. */
const live = new Set<ChildProcess>();
process.once("exit", () => live.forEach((p) => p.kill("SIGKILL")));

/**
 * Starts the fixture instance in its own Node process against this emulator and Redis, sharing
 * SECRET (so a cookie signed in anywhere works there), and resolves once it serves.
 */
export async function startInstanceProcess(
  emulator: KakaoEmulator,
  redis: RedisTarget,
  options: { express?: ExpressMajor; revocationPollInterval?: number } = {},
): Promise<InstanceProcess> {
  const config: InstanceConfig = {
    express: options.express ?? 5,
    kakao: emulator.options,
    secret: SECRET,
    redis,
    ...(options.revocationPollInterval === undefined ? {} : { revocationPollInterval: options.revocationPollInterval }),
  };
  const child = spawn(process.execPath, ["--import", "tsx", FIXTURE], {
    env: { ...process.env, EKA_INSTANCE: JSON.stringify(config) },
    stdio: ["pipe", "pipe", "inherit"],
  });
  live.add(child);
  child.once("exit", () => live.delete(child));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => reject(new Error(`redis-instance did not listen within ${READY_WITHIN_MS} ms`)),
      READY_WITHIN_MS,
    );
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const port = /^listening (\d+)$/m.exec(out)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve(Number(port));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-instance exited with ${code} before listening`));
    });
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async exitsWithin(ms) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
      const ended = await Promise.race([exited.then(() => true), timeout]);
      clearTimeout(timer);
      return ended;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.stdin.end();
      child.kill("SIGTERM");
      await exited;
    },
  };
}
