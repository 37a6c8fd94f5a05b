import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What a server child sends its parent once it is listening (and, for /me scenarios, signed in). */
export interface ReadyMessage {
  type: "ready";
  port: number;
  cookie?: string;
  extra?: Record<string, string>;
}

export interface StatsMessage {
  type: "stats";
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** process.cpuUsage() user + system, µs. */
  cpu: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The child side of the protocol: listens on a free 127.0.0.1 port first (some apps need their own
 * origin), then `ready()` reports to the parent over IPC. Answers `stats` requests and exits when the
 * parent goes away or sends SIGTERM (cleanly, so `--cpu-prof` profiles get written).
 */
export async function startServer(): Promise<{
  port: number;
  origin: string;
  use(app: unknown): void;
  ready(msg?: Omit<ReadyMessage, "type" | "port">): void;
}> {
  let handler: Handler = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handler(req, res));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const exit = () => process.exit(0);
  process.on("SIGTERM", exit);
  process.on("SIGINT", exit);
  process.on("disconnect", exit);
  process.on("message", (m: { type?: string; gc?: boolean }) => {
    if (m?.type !== "stats") return;
    if (m.gc) (globalThis as { gc?: () => void }).gc?.();
    const { user, system } = process.cpuUsage();
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    process.send?.({ type: "stats", rss, heapUsed, heapTotal, external, cpu: user + system } satisfies StatsMessage);
  });
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    use(app) {
      handler = app as Handler;
    },
    ready(msg = {}) {
      process.send?.({ type: "ready", port, ...msg } satisfies ReadyMessage);
    },
  };
}

/** Collects a response's Set-Cookie pairs into a Cookie header (later values win, empty ones delete). */
export function mergeCookies(jar: Map<string, string>, res: Response): void {
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(";")[0]!;
    const i = pair.indexOf("=");
    const value = pair.slice(i + 1);
    if (value === "" || /max-age=0/i.test(line)) jar.delete(pair.slice(0, i));
    else jar.set(pair.slice(0, i), value);
  }
}

export const cookieHeader = (jar: Map<string, string>): string => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
