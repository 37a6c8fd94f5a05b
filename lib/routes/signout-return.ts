import type { Request, Response } from "express";
import { queryParams } from "../http/origin.js";
import { returnTarget } from "../http/return-to.js";
import type { RequestState } from "../session/request-state.js";
import type { RouteDeps } from "./route.js";

/** `GET {basePath}/signout/kakao`: where Kakao returns after Kakao Account logout; `state` carries returnTo. */
export function signOutReturnRoute(req: Request, res: Response, _state: RequestState, deps: RouteDeps): void {
  const origin = deps.instance.origin(req);
  const returnTo = queryParams(req).get("state");
  res
    .set("cache-control", "no-store")
    .redirect(302, (origin && returnTarget(returnTo, origin, deps.instance.config.clients.allowedOrigins)) || "/");
}
