import express5 from "express";
import express4 from "express4";
import { kakaoAuth, kakaoErrorHandler, requireKakaoUser, type KakaoAuthOptions } from "../../lib/index.js";
import type { KakaoEmulator } from "../../lib/testing/index.js";

export const SECRET = "spec-secret-0123456789-abcdefghijklmnop";
export type ExpressMajor = 4 | 5;
export const EXPRESS_MAJORS: ExpressMajor[] = [5, 4];

export interface SpecAppOptions {
  express?: ExpressMajor;
  emulator: KakaoEmulator;
  options?: KakaoAuthOptions;
  /** Extra routes, added after kakaoAuth() and before the fixture routes. */
  routes?: (app: express5.Express) => void;
}

/** Every 5xx the fixture app answers, with the error that caused it (specs assert it stays empty). */
export const serverErrors: Error[] = [];

/**
 * The fixture app most specs drive over HTTP (modelled on express-openid-connect's): `/` public,
 * `/me` guarded (page or API by Accept), `/whoami` unguarded JSON of `req.kakaoUser`.
 */
export function buildApp({ express = 5, emulator, options = {}, routes }: SpecAppOptions): express5.Express {
  const create = (express === 4 ? express4 : express5) as unknown as typeof express5;
  const app = create();
  app.use(kakaoAuth({ ...emulator.options, secret: SECRET, ...options }));
  routes?.(app);
  app.get("/", (_req, res) => res.send("home"));
  app.get("/me", requireKakaoUser(), (req, res) => res.json(req.kakaoUser));
  app.get("/whoami", (req, res) =>
    res.json({ user: req.kakaoUser ?? null, authenticated: req.kakao.isAuthenticated() }),
  );
  app.use(kakaoErrorHandler());
  app.use((err: Error, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
    serverErrors.push(err);
    res.status(500).json({ error: "server_error" });
  });
  return app;
}
