import express5 from "express";
import express4 from "express4";
import session from "express-session";
import { vi } from "vitest";
import type { KakaoAuthOptions } from "../../lib/index.js";
import type { KakaoEmulator } from "../../lib/testing/index.js";
import { SECRET, type ExpressMajor } from "./app.js";
import { EXPRESS_SESSION_COOKIE, EXPRESS_SESSION_SECRET } from "./express-session-app.js";
import { listen } from "./server.js";

export type KakaoAuthPackage = typeof import("../../lib/index.js");

/**
 * A fresh copy of the package, evaluated anew: its own revocation list, session registries and
 * shared stores, as a second process would have. Two instances built from two copies can only
 * learn of each other's sign-outs through Redis, never through this process's memory.
 */
export async function packageCopy(): Promise<KakaoAuthPackage> {
  vi.resetModules();
  return import("../../lib/index.js");
}

export interface RegistryInstance {
  readonly url: string;
  /** The package copy this instance runs: its `revokeKakaoSession`, its error classes. */
  readonly pkg: KakaoAuthPackage;
  /** Every error the app's error handler received, in order. */
  readonly errors: unknown[];
  /** The errors it answered with a 5xx of its own (not through kakaoErrorHandler). */
  readonly serverErrors: Error[];
  close(): Promise<void>;
}

export interface RegistryInstanceOptions {
  express: ExpressMajor;
  emulator: KakaoEmulator;
  /** Omitted: an app without the `redis` option. */
  redis?: unknown;
  options?: KakaoAuthOptions;
  /** Mount express-session on this store and use `session.store: "express-session"`. */
  expressSessionStore?: session.Store;
  /** Where the app records the errors it answers with a 5xx of its own (default: a new list). */
  serverErrors?: Error[];
}

type Handler = (req: express5.Request, res: express5.Response) => Promise<void>;

/** Express 4 does not forward a rejected handler: pass it on to the error handlers ourselves. */
const forward = (handler: Handler) => (req: express5.Request, res: express5.Response, next: express5.NextFunction) =>
  void handler(req, res).catch(next);

/**
 * One app instance on its own package copy, with the routes a "your devices" page would have:
 * `GET /sessions` (`req.kakao.sessions()`), `POST /sign-out-others` (`req.kakao.signOutOthers()`),
 * `GET /whoami`.
 */
export async function startRegistryInstance(spec: RegistryInstanceOptions): Promise<RegistryInstance> {
  const pkg = await packageCopy();
  const create = (spec.express === 4 ? express4 : express5) as unknown as typeof express5;
  const app = create();
  const errors: unknown[] = [];
  const serverErrors = spec.serverErrors ?? [];
  const options: KakaoAuthOptions = { ...spec.emulator.options, secret: SECRET, ...spec.options };
  if (spec.redis !== undefined) options.redis = spec.redis;
  if (spec.expressSessionStore) {
    app.use(
      session({
        store: spec.expressSessionStore,
        secret: EXPRESS_SESSION_SECRET,
        resave: false,
        saveUninitialized: false,
        name: EXPRESS_SESSION_COOKIE,
      }),
    );
    options.session = { ...options.session, store: "express-session" };
  }
  app.use(pkg.kakaoAuth(options));
  app.get(
    "/sessions",
    forward(async (req, res) => void res.json(await req.kakao.sessions())),
  );
  app.post(
    "/sign-out-others",
    forward(async (req, res) => void res.json({ ended: await req.kakao.signOutOthers() })),
  );
  app.get("/whoami", (req, res) => void res.json({ user: req.kakaoUser?.id ?? null }));
  app.use((err: unknown, _req: express5.Request, _res: express5.Response, next: express5.NextFunction) => {
    errors.push(err);
    next(err);
  });
  app.use(pkg.kakaoErrorHandler());
  app.use((err: Error, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
    serverErrors.push(err);
    res.status(500).json({ error: "server_error" });
  });
  const served = await listen(app);
  return { url: served.url, pkg, errors, serverErrors, close: () => served.close() };
}
