import type { Request, Response } from "express";
import { queryParams } from "../http/origin.js";
import type { RequestState } from "../session/request-state.js";
import { sendErrorPage } from "./error-page.js";
import type { RouteDeps } from "./route.js";

/** `GET {basePath}/error`: the readable page a failed login lands on. */
export function errorRoute(req: Request, res: Response, state: RequestState, deps: RouteDeps): void {
  const origin = deps.instance.origin(req) ?? "";
  sendErrorPage(req, res, queryParams(req).get("error") ?? undefined, {
    redirectUri: deps.instance.redirectUri(origin, state),
    signInUrl: deps.instance.signInPath(state),
  });
}
