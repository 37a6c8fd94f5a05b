import type { Request } from "express";
import type { Runtime } from "./runtime.js";

/** The `kakaoAuth()` instance that handled this request (guards find it through `req.kakao`). */
export function runtimeOf(req: Request): Runtime | undefined {
  const context: unknown = req.kakao;
  return typeof context === "object" && context !== null ? (context as { runtime?: Runtime }).runtime : undefined;
}

const ROUTER_RUNTIME = Symbol.for("express-kakao-auth.router-runtime");

/** Marks the router `kakaoAuth()` returns, so test helpers can find its instance in an app. */
export function tagRouter(router: object, runtime: Runtime): void {
  Object.defineProperty(router, ROUTER_RUNTIME, { value: runtime });
}

interface Layer {
  handle?: unknown;
}
interface StackHolder {
  stack?: Layer[];
}

/** Finds the `kakaoAuth()` instance mounted in an Express 4 (`app._router`) or 5 (`app.router`) app. */
export function findRuntime(app: unknown): Runtime | undefined {
  const seen = new Set<unknown>();
  const visit = (handle: unknown): Runtime | undefined => {
    if (!handle || (typeof handle !== "function" && typeof handle !== "object") || seen.has(handle)) return undefined;
    seen.add(handle);
    const tagged = (handle as Record<symbol, Runtime | undefined>)[ROUTER_RUNTIME];
    if (tagged) return tagged;
    const holder = handle as { _router?: StackHolder; router?: StackHolder; stack?: Layer[] };
    const stack =
      holder.stack ??
      holder._router?.stack ??
      (typeof holder.router === "object" || typeof holder.router === "function" ? holder.router?.stack : undefined);
    for (const layer of stack ?? []) {
      const found = visit(layer.handle);
      if (found) return found;
    }
    return undefined;
  };
  return visit(app);
}
