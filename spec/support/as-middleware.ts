import express5 from "express";
import express4 from "express4";
import { listen } from "./server.js";

/**
 * Runs `fn` as a middleware of an Express 4 or 5 app for one request, as a mistaken
 * `app.use(kakaoAuth)` would run kakaoAuth: its first argument is the request Express built.
 * Resolves to what `fn` returned, or rejects with what it threw.
 */
export async function runAsMiddleware<T>(major: 4 | 5, fn: (firstArgument: unknown) => T): Promise<T> {
  const app = (major === 4 ? express4 : express5)() as unknown as express5.Express;
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  app.use((req, res) => {
    try {
      outcome = { ok: true, value: fn(req) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    res.end();
  });
  const server = await listen(app);
  try {
    await fetch(server.url);
  } finally {
    await server.close();
  }
  if (!outcome) throw new Error("the middleware did not run");
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/**
 * Mounts `middleware` with `app.use()` on an Express 4 or 5 app, sends one request and resolves
 * to the error it passed to `next()` (undefined when it passed none).
 */
export async function errorFromMounted(major: 4 | 5, middleware: unknown): Promise<unknown> {
  const app = (major === 4 ? express4 : express5)() as unknown as express5.Express;
  let seen: unknown;
  app.use(middleware as express5.RequestHandler);
  app.use((_req, res) => res.end());
  app.use((error: unknown, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
    seen = error;
    res.end();
  });
  const server = await listen(app);
  try {
    await fetch(server.url);
  } finally {
    await server.close();
  }
  return seen;
}
