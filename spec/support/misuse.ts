import express5 from "express";
import express4 from "express4";
import type { ExpressMajor } from "./app.js";
import { listen } from "./server.js";

/** A request that has not answered after this long counts as hung. */
export const HANG_MS = 2_000;

/** What one request to a misconfigured app came to. */
export interface MisuseOutcome {
  /** The errors that reached the app's last error handler, in order. */
  errors: unknown[];
  /** The status answered (the error handler answers 500), or "hung" when nothing came within HANG_MS. */
  status: number | "hung";
  /** Whether the route's own handler ran. */
  handlerRan: boolean;
}

/**
 * Builds an Express 4 or 5 app, lets `mount` wire it (the mistake under test goes there), adds
 * `GET|POST /x` answering 200 and a last error handler that records what it is given, then sends
 * `method path` once with a HANG_MS timeout.
 */
export async function requestMisusedApp(
  major: ExpressMajor,
  mount: (app: express5.Express, handler: express5.RequestHandler) => void,
  { method = "GET", path = "/x" }: { method?: string; path?: string } = {},
): Promise<MisuseOutcome> {
  const app = (major === 4 ? express4 : express5)() as unknown as express5.Express;
  const outcome: MisuseOutcome = { errors: [], status: "hung", handlerRan: false };
  const handler: express5.RequestHandler = (_req, res) => {
    outcome.handlerRan = true;
    res.send("handler");
  };
  mount(app, handler);
  app.all("/x", handler);
  app.use((error: unknown, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
    outcome.errors.push(error);
    res.status(500).send("error");
  });
  const server = await listen(app);
  try {
    const res = await fetch(`${server.url}${path}`, { method, signal: AbortSignal.timeout(HANG_MS) });
    outcome.status = res.status;
    await res.text();
  } catch (error) {
    if (!(error instanceof Error && error.name === "TimeoutError")) throw error;
  } finally {
    await server.close();
  }
  return outcome;
}

/** The message of an error (or its string form). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
