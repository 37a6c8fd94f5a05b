import { Auth } from "@auth/core";
import type { Request, Response } from "express";
import { sendWebResponse, toAuthRequest } from "../authjs/bridge.js";
import type { RequestState } from "../session/request-state.js";
import { originOr400, type RouteDeps } from "./route.js";

/** Auth.js's own JSON actions (`/csrf`, `/providers`), passed through. */
export function authjsActionRoute(action: "csrf" | "providers") {
  return async (req: Request, res: Response, state: RequestState, deps: RouteDeps): Promise<void> => {
    const origin = originOr400(req, res, deps);
    if (!origin) return;
    const web = await Auth(
      toAuthRequest(req, `${origin}${deps.instance.basePath(state)}/${action}`, { method: "GET" }),
      deps.instance.plainAuthConfig(state),
    );
    await sendWebResponse(res, web);
  };
}
