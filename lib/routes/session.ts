import type { Request, Response } from "express";
import type { RequestState } from "../session/request-state.js";
import { originOr400, type RouteDeps } from "./route.js";

/** `GET {basePath}/session`: answered from the fast path (Auth.js's own action rewrites the cookie each call). */
export function sessionRoute(req: Request, res: Response, state: RequestState, deps: RouteDeps): void {
  if (!originOr400(req, res, deps)) return;
  res.set("cache-control", "no-store");
  if (!state.session) {
    res.json(null);
    return;
  }
  const user = state.session.user;
  const exp = typeof state.claims?.exp === "number" ? state.claims.exp : undefined;
  res.json({
    user: { name: user.nickname ?? null, email: user.email ?? null, image: user.profileImage ?? null },
    kakaoUser: user,
    expires: exp ? new Date(exp * 1000).toISOString() : null,
  });
}
