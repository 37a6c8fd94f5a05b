import type { Request, RequestHandler, Response } from "express";
import { KakaoContext } from "../context.js";
import type { KakaoAuthInstance } from "../instance.js";
import type { RequestState } from "../session/request-state.js";

/** What every route gets: the instance, and this request's state as the context middleware read it. */
export interface RouteDeps {
  instance: KakaoAuthInstance;
}

export type RouteBody = (req: Request, res: Response, state: RequestState, deps: RouteDeps) => Promise<void> | void;

/**
 * An Express handler for one of the package's routes. Express 4 ignores rejected promises: every
 * route forwards its errors. The state is the one `req.kakao` holds (read once per request).
 */
export function route(deps: RouteDeps, body: RouteBody): RequestHandler {
  return (req, res, next) => {
    const internals = KakaoContext.internals(req.kakao);
    const state = internals?.instance === deps.instance ? internals.state : deps.instance.loadState(req, res);
    Promise.resolve()
      .then(() => body(req, res, state, deps))
      .catch(next);
  };
}

/** 405 with `Allow` for other methods (HEAD would run a GET callback and burn the code: CB-11). */
export function onlyMethods(methods: string[]): RequestHandler {
  return (req, res, next) => {
    if (methods.includes(req.method)) return next();
    res.status(405).set("Allow", methods.join(", ")).json({ error: "method_not_allowed" });
  };
}

/** The request's public origin, or a 400 answered here when its Host is not a valid host. */
export function originOr400(req: Request, res: Response, deps: RouteDeps): string | undefined {
  const origin = deps.instance.origin(req);
  if (!origin) res.status(400).json({ error: "bad_request", message: "The Host header is not a valid host name." });
  return origin;
}

export const NO_STORE = { "cache-control": "no-store", "referrer-policy": "no-referrer" };
