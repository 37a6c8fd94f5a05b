import type { Request, RequestHandler, Response } from "express";
import { constantTimeEqual } from "../http/constant-time.js";
import { queryParams } from "../http/origin.js";
import { bodyFields } from "../http/request-body.js";
import { log } from "../log.js";
import type { RequestState } from "../session/request-state.js";
import { revokeKakaoUser } from "../session/revocation.js";
import { recentlyWithdrawn } from "../withdraw.js";
import type { RouteDeps } from "./route.js";

/** `Authorization: KakaoAK <adminKey>` as Kakao sends it (kakao-api.md §5.6). */
export function hasAdminKey(header: string | undefined, adminKey: string): boolean {
  if (!header) return false;
  const m = /^KakaoAK\s+(\S+)\s*$/.exec(header);
  return !!m?.[1] && constantTimeEqual(m[1], adminKey);
}

/**
 * `GET|POST {basePath}/webhooks/kakao/unlink`: Kakao tells us a user unlinked. Answers 200 at
 * once (Kakao wants it within 3 s, even for unknown users); revocation and `onUnlink` run after.
 * A wrong `app_id` is answered 401: the call is not for this app.
 */
/** Refuses calls without Kakao's admin key before their body is even read. */
export function requireAdminKey(deps: RouteDeps): RequestHandler {
  return (req, res, next) => {
    const { adminKey } = deps.instance.config;
    if (adminKey && hasAdminKey(req.headers.authorization, adminKey)) return next();
    log.webhook("unlink webhook refused: bad or missing KakaoAK admin key");
    res.status(401).set("WWW-Authenticate", "KakaoAK").json({ error: "unauthorized" });
  };
}

export function unlinkWebhookRoute(req: Request, res: Response, _state: RequestState, deps: RouteDeps): void {
  const { config } = deps.instance;
  const params =
    req.method === "POST"
      ? { ...Object.fromEntries(queryParams(req)), ...bodyFields(req) }
      : Object.fromEntries(queryParams(req));
  const userId = params.user_id;
  const appId = params.app_id;
  const referrerType = params.referrer_type ?? "UNKNOWN";
  if (config.appId && appId !== config.appId) {
    log.webhook("unlink webhook refused: app_id does not match");
    res.status(401).json({ error: "unauthorized", message: "app_id does not match this app." });
    return;
  }
  if (!userId || !/^\d{1,20}$/.test(userId) || referrerType.length > 64) {
    res.status(400).json({ error: "bad_request", message: "user_id must be a Kakao user id." });
    return;
  }
  res.status(200).json({ ok: true });
  setImmediate(() => {
    revokeKakaoUser(userId).then(
      () => log.webhook("user %s unlinked (%s): sessions revoked", userId, referrerType),
      (err: unknown) => log.webhook("revocation store failed for user %s: %s", userId, (err as Error).message),
    );
    // Already withdrawn through withdrawKakaoUser() here: Kakao's webhook for it succeeds quietly.
    if (!config.onUnlink || recentlyWithdrawn(userId)) return;
    const event: Parameters<NonNullable<typeof config.onUnlink>>[0] = { userId, referrerType };
    if (appId) event.appId = appId;
    if (params.group_user_token) event.groupUserToken = params.group_user_token;
    Promise.resolve()
      .then(() => config.onUnlink!(event))
      .catch((err: unknown) => log.webhook("onUnlink hook failed: %s", (err as Error).message));
  });
}
