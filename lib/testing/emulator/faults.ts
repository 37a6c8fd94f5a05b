import type { ServerResponse } from "node:http";
import type { RequestContext } from "./context.js";
import { first, JSON_UTF8, sendHtml, sendKapiError, sendKauthError, type Params } from "./http.js";
import { sendKapi, sendKoe } from "./kakao-errors.js";
import { faultPage, koePage } from "./pages.js";
import type { EmulatorUser, Fault } from "./types.js";

/**
 * Route names accepted by `emulator.fail(route, fault)`. When several pending faults match a request,
 * the most specific wins: an exact path (any string starting with "/", e.g. "/oauth/token" for
 * both grants), then the names below in this order, then the groups "kauth" / "api", then "*".
 *
 * | name            | requests                                                   |
 * | --------------- | ---------------------------------------------------------- |
 * | `authorize`     | GET /oauth/authorize and /oauth/authorize/decide (page)    |
 * | `token`         | POST /oauth/token with a grant_type other than refresh_token |
 * | `refresh`       | POST /oauth/token with grant_type=refresh_token            |
 * | `kauth-logout`  | GET /oauth/logout (page)                                   |
 * | `tokeninfo`     | POST /oauth/tokeninfo                                      |
 * | `discovery`     | GET /.well-known/openid-configuration                      |
 * | `jwks`          | GET /.well-known/jwks.json                                 |
 * | `me`            | /v2/user/me                                                |
 * | `oidc-userinfo` | /v1/oidc/userinfo                                          |
 * | `userinfo`      | both /v2/user/me and /v1/oidc/userinfo                     |
 * | `token_info`    | /v1/user/access_token_info                                 |
 * | `logout`        | POST /v1/user/logout                                       |
 * | `unlink`        | POST /v1/user/unlink                                       |
 * | `scopes`        | /v2/user/scopes                                            |
 * | `revoke-scopes` | POST /v2/user/revoke/scopes                                |
 * | `talk-memo`     | POST /v2/api/talk/memo/default/send                        |
 * | `kauth`         | every /oauth/* and /.well-known/* request                  |
 * | `api`           | every kapi request (/v1/*, /v2/*)                          |
 * | `*`             | every request                                              |
 */
export const KNOWN_ROUTES = [
  "authorize",
  "token",
  "refresh",
  "kauth-logout",
  "tokeninfo",
  "discovery",
  "jwks",
  "me",
  "oidc-userinfo",
  "userinfo",
  "token_info",
  "logout",
  "unlink",
  "scopes",
  "revoke-scopes",
  "talk-memo",
  "kauth",
  "api",
  "*",
];

export function routeNames(path: string, params: Params): string[] {
  const names: string[] = [path];
  const specific: Record<string, string[]> = {
    "/oauth/authorize": ["authorize"],
    "/oauth/authorize/decide": ["authorize"],
    "/oauth/token": [first(params, "grant_type") === "refresh_token" ? "refresh" : "token"],
    "/oauth/logout": ["kauth-logout"],
    "/oauth/tokeninfo": ["tokeninfo"],
    "/.well-known/openid-configuration": ["discovery"],
    "/.well-known/jwks.json": ["jwks"],
    "/v2/user/me": ["me", "userinfo"],
    "/v1/oidc/userinfo": ["oidc-userinfo", "userinfo"],
    "/v1/user/access_token_info": ["token_info"],
    "/v1/user/logout": ["logout"],
    "/v1/user/unlink": ["unlink"],
    "/v2/user/scopes": ["scopes"],
    "/v2/user/revoke/scopes": ["revoke-scopes"],
    "/v2/api/talk/memo/default/send": ["talk-memo"],
  };
  names.push(...(specific[path] ?? []));
  if (hostKind(path) === "kapi") names.push("api");
  else names.push("kauth");
  names.push("*");
  return names;
}

/** Which Kakao host a path belongs to, and whether it is a browser page. */
export function hostKind(path: string): "page" | "kauth" | "kapi" {
  if (path === "/oauth/authorize" || path === "/oauth/authorize/decide" || path === "/oauth/logout") return "page";
  if (path.startsWith("/oauth/") || path.startsWith("/.well-known/")) return "kauth";
  return "kapi";
}

interface Pending {
  fault: Fault;
  remaining: number;
}

/** Pending faults and the timers of delayed answers (cancelled on close). */
export class Faults {
  private readonly byRoute = new Map<string, Pending[]>();
  private readonly sleepers = new Set<(ok: boolean) => void>();

  add(route: string, fault: Fault): void {
    if (typeof route !== "string" || !route)
      throw new TypeError("fail(route, fault): route must be a non-empty string");
    const times = fault.times ?? 1;
    if (!(times > 0)) throw new TypeError("fail(route, fault): times must be > 0");
    const list = this.byRoute.get(route) ?? [];
    list.push({ fault: { ...fault }, remaining: times });
    this.byRoute.set(route, list);
  }

  clear(): void {
    this.byRoute.clear();
  }

  /** Consumes one use of the first pending fault among `names` (in priority order). */
  take(names: string[]): Fault | undefined {
    for (const name of names) {
      const list = this.byRoute.get(name);
      const head = list?.[0];
      if (!list || !head) continue;
      head.remaining -= 1;
      if (head.remaining <= 0) list.shift();
      if (list.length === 0) this.byRoute.delete(name);
      return head.fault;
    }
    return undefined;
  }

  /** Resolves true after `ms`, or false when the emulator closes or the client goes away first. */
  sleep(ms: number, res: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        res.off("close", onClose);
        resolve(ok);
      };
      const onClose = () => done(false);
      const timer = setTimeout(() => done(true), Math.max(0, ms));
      this.sleepers.add(done);
      res.on("close", onClose);
    });
  }

  cancelAll(): void {
    for (const done of [...this.sleepers]) done(false);
  }
}

/** The user behind a Bearer token, else the current user (for -402's `allowed_scopes`). */
function callerOf(ctx: RequestContext): EmulatorUser | undefined {
  const { store, currentUserId } = ctx.state;
  const m = /^Bearer\s+(\S+)$/i.exec(ctx.req.headers.authorization ?? "");
  const rec = m?.[1] ? store.findAccess(m[1]) : undefined;
  return store.users.get(rec?.grant.userId ?? currentUserId ?? "") ?? store.users.values().next().value;
}

/**
 * Applies a fault to a request. Returns "continue" when only a delay (and headers) was asked for and
 * the normal answer should follow, "handled" otherwise.
 */
export async function applyFault(ctx: RequestContext, fault: Fault): Promise<"handled" | "continue"> {
  const { res, path } = ctx;
  if (fault.delayMs !== undefined && fault.delayMs > 0) {
    const ok = await ctx.state.faults.sleep(fault.delayMs, res);
    if (!ok) {
      if (!res.destroyed) res.destroy();
      return "handled";
    }
  }
  if (fault.destroy) {
    ctx.req.socket.destroy();
    return "handled";
  }
  for (const [k, v] of Object.entries(fault.headers ?? {})) res.setHeader(k, v);
  const kind = hostKind(path);
  if (fault.koe !== undefined) {
    if (kind === "page") sendHtml(res, fault.status ?? 400, koePage(fault.koe, `emulated ${fault.koe}`));
    else sendKoe(res, fault.koe, "", fault.status);
    return "handled";
  }
  if (fault.kapiCode !== undefined) {
    const user = callerOf(ctx);
    sendKapi(res, fault.kapiCode, {
      status: fault.status,
      path,
      requiredScopes: fault.requiredScopes,
      allowedScopes: user?.agreedScopes ?? [],
    });
    return "handled";
  }
  if (fault.body !== undefined) {
    const text = typeof fault.body === "string" ? fault.body : JSON.stringify(fault.body);
    const type = fault.contentType ?? JSON_UTF8;
    if (!res.headersSent) {
      res.writeHead(fault.status ?? 200, {
        "Content-Type": type,
        "Content-Length": Buffer.byteLength(text),
        ...fault.headers,
      });
      res.end(text);
    }
    return "handled";
  }
  if (fault.status !== undefined) {
    const status = fault.status;
    if (kind === "page") sendHtml(res, status, faultPage(status));
    else if (kind === "kauth") sendKauthError(res, status, "server_error", `emulated fault (HTTP ${status})`, "KOE003");
    else sendKapiError(res, status, -1, `emulated fault (HTTP ${status})`);
    return "handled";
  }
  return "continue";
}
