import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestContext } from "./context.js";
import { first } from "./http.js";
import { sendKapi } from "./kakao-errors.js";
import type { TokenRecord } from "./store.js";
import type { EmulatorUser } from "./types.js";

export interface Caller {
  /** The user as the calling app sees them (`Store.asSeenBy`: a copy for the other app). */
  user: EmulatorUser;
  /** The app the token was issued to (this app in admin-key mode). */
  appId: string;
  /** The access token, in Bearer mode. */
  token: TokenRecord | undefined;
}

function equalKeys(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

/**
 * Authenticates a kapi request: `Authorization: Bearer <access token>`, or (when `admin` is allowed)
 * `KakaoAK <admin key>` with `target_id_type=user_id&target_id=<id>`. Sends the kapi error and returns
 * undefined when that fails.
 */
export function authenticate(ctx: RequestContext, opts: { admin: boolean }): Caller | undefined {
  const { req, res, params, state: emu } = ctx;
  const header = typeof req.headers.authorization === "string" ? req.headers.authorization.trim() : "";
  const [scheme = "", ...rest] = header.split(/\s+/);
  const credential = rest.join(" ");
  if (scheme.toLowerCase() === "bearer" && credential) {
    const rec = emu.store.findAccess(credential);
    const user = rec ? emu.store.users.get(rec.grant.userId) : undefined;
    if (!rec || !user) return void sendKapi(res, -401);
    if (rec.expiresAt <= emu.clock.now())
      return void sendKapi(res, -401, { msg: "this access token is already expired" });
    return { user: emu.store.asSeenBy(user, rec.grant.appId), appId: rec.grant.appId, token: rec };
  }
  if (scheme === "KakaoAK" && credential) {
    if (!opts.admin) return void sendKapi(res, -401, { msg: "wrong app key type. user access token is required." });
    if (!equalKeys(credential, emu.config.adminKey)) return void sendKapi(res, -401, { msg: "invalid app key." });
    if (first(params, "target_id_type") !== "user_id") {
      return void sendKapi(res, -2, { msg: "target_id_type must be user_id" });
    }
    const targetId = first(params, "target_id") ?? "";
    if (!/^\d{1,19}$/.test(targetId))
      return void sendKapi(res, -2, { msg: "target_id is required and must be a number" });
    const user = emu.store.users.get(targetId);
    if (!user || !user.linked) return void sendKapi(res, -101);
    return { user, appId: emu.config.appId, token: undefined };
  }
  sendKapi(res, -401, { msg: "no authentication key!" });
  return undefined;
}
