import express5 from "express";
import express4 from "express4";
import session from "express-session";
import { afterAll, beforeAll } from "vitest";
import type { KakaoEmulator } from "../../lib/testing/index.js";
import { buildApp, type SpecAppOptions } from "./app.js";
import { listen, type Listening } from "./server.js";

/** The app's own express-session secret: deliberately not AUTH_SECRET, so a leak of either is told apart. */
export const EXPRESS_SESSION_SECRET = "express-session-spec-secret-9876543210-zyxwvu";

/** express-session's session cookie name. */
export const EXPRESS_SESSION_COOKIE = "connect.sid";

/**
 * The fixture app of `buildApp` in `session: { store: "express-session" }` mode, behind
 * express-session with its MemoryStore mounted first, as the README tells users to.
 */
export function buildExpressSessionApp({
  express = 5,
  emulator,
  options = {},
  routes,
}: SpecAppOptions): express5.Express {
  const create = (express === 4 ? express4 : express5) as unknown as typeof express5;
  const outer = create();
  outer.use(
    session({
      store: new session.MemoryStore(),
      secret: EXPRESS_SESSION_SECRET,
      resave: false,
      saveUninitialized: false,
      name: EXPRESS_SESSION_COOKIE,
    }),
  );
  outer.use(
    buildApp({
      express,
      emulator,
      options: { ...options, session: { ...options.session, store: "express-session" } },
      ...(routes ? { routes } : {}),
    }),
  );
  return outer;
}

/** Like `useApp`, for `buildExpressSessionApp`: started on 127.0.0.1 for the file's (or describe's) specs. */
export function useExpressSessionApp(
  getEmulator: () => KakaoEmulator,
  spec: Omit<SpecAppOptions, "emulator"> = {},
): { readonly url: string } {
  let app: Listening | undefined;
  beforeAll(async () => {
    app = await listen(buildExpressSessionApp({ ...spec, emulator: getEmulator() }));
  });
  afterAll(async () => app?.close());
  return {
    get url() {
      if (!app) throw new Error("app not started");
      return app.url;
    },
  };
}
