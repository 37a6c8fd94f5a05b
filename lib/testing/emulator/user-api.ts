import { createHash } from "node:crypto";
import { authenticate } from "./api-auth.js";
import type { EmulatorState, RequestContext } from "./context.js";
import { first, sendJson } from "./http.js";
import { JsonInt, numberOrString, parseStringArray } from "./json.js";
import { sendKapi } from "./kakao-errors.js";
import { agreedTo } from "./oidc.js";
import type { EmulatorUser } from "./types.js";

const DEFAULT_THUMB =
  "http://img1.kakaocdn.net/thumb/R110x110.q70/?fname=http%3A%2F%2Ft1.kakaocdn.net%2Faccount_images%2Fdefault_profile.jpeg";
const DEFAULT_IMAGE =
  "http://img1.kakaocdn.net/thumb/R640x640.q70/?fname=http%3A%2F%2Ft1.kakaocdn.net%2Faccount_images%2Fdefault_profile.jpeg";

interface MeOptions {
  secure: boolean;
  /** `property_keys` filter, undefined = everything. */
  keys: string[] | undefined;
}

function profileFields(emu: EmulatorState, user: EmulatorUser, img: (u: string) => string): Record<string, unknown> {
  const items = emu.config.consentItems;
  const agreed = user.agreedScopes ?? [];
  const out: Record<string, unknown> = {};
  const nickOk = agreedTo(user, "profile_nickname");
  const imageOk = agreedTo(user, "profile_image");
  if (items.includes("profile")) out.profile_needs_agreement = !agreed.includes("profile");
  if (items.includes("profile_nickname")) out.profile_nickname_needs_agreement = !nickOk;
  if (items.includes("profile_image")) out.profile_image_needs_agreement = !imageOk;
  const profile: Record<string, unknown> = {};
  if (nickOk && user.nickname !== undefined) {
    profile.nickname = user.nickname;
  }
  if (imageOk) {
    const own = user.thumbnailImage !== undefined || user.profileImage !== undefined;
    profile.thumbnail_image_url = img(user.thumbnailImage ?? user.profileImage ?? DEFAULT_THUMB);
    profile.profile_image_url = img(user.profileImage ?? user.thumbnailImage ?? DEFAULT_IMAGE);
    profile.is_default_image = !own;
  }
  if (nickOk && user.nickname !== undefined) profile.is_default_nickname = false;
  if (Object.keys(profile).length > 0) out.profile = profile;
  return out;
}

function emailFields(emu: EmulatorState, user: EmulatorUser): Record<string, unknown> {
  if (!emu.config.consentItems.includes("account_email")) return {};
  const out: Record<string, unknown> = { has_email: user.email !== undefined };
  const ok = agreedTo(user, "account_email");
  out.email_needs_agreement = user.email !== undefined && !ok;
  if (ok && user.email !== undefined) {
    out.is_email_valid = user.isEmailValid !== false;
    out.is_email_verified = user.isEmailVerified !== false;
    out.email = user.email;
  }
  return out;
}

/** The `/v2/user/me` document (§4.2), consent-dependent, in Kakao's key order. */
export function userMe(emu: EmulatorState, user: EmulatorUser, o: MeOptions): Record<string, unknown> {
  const img = (u: string) => (o.secure ? u.replace(/^http:\/\//, "https://") : u);
  const wants = (group: string) =>
    !o.keys || o.keys.some((k) => k === `kakao_account.${group}` || k === "kakao_account.");
  const wantsProps = !o.keys || o.keys.some((k) => k.startsWith("properties."));
  const doc: Record<string, unknown> = { id: new JsonInt(user.id) };
  if (user.connectedAt) doc.connected_at = user.connectedAt;
  const properties: Record<string, string> = {};
  if (agreedTo(user, "profile_nickname") && user.nickname !== undefined) properties.nickname = user.nickname;
  if (agreedTo(user, "profile_image")) {
    if (user.profileImage) properties.profile_image = img(user.profileImage);
    if (user.thumbnailImage) properties.thumbnail_image = img(user.thumbnailImage);
  }
  if (wantsProps && Object.keys(properties).length > 0) doc.properties = properties;
  doc.kakao_account = {
    ...(wants("profile") ? profileFields(emu, user, img) : {}),
    ...(wants("email") ? emailFields(emu, user) : {}),
  };
  if ((user.agreedScopes ?? []).includes("talk_message")) {
    const h = createHash("sha256").update(`uuid:${user.id}`).digest("base64url");
    doc.for_partner = { uuid: h.slice(0, 14) };
  }
  return doc;
}

/** `GET|POST /v2/user/me` (§4). */
export function handleMe(ctx: RequestContext): void {
  const caller = authenticate(ctx, { admin: true });
  if (!caller) return;
  const raw = first(ctx.params, "property_keys");
  const keys = raw === undefined ? undefined : parseStringArray(raw);
  if (raw !== undefined && !keys)
    return sendKapi(ctx.res, -2, { msg: "invalid property_keys: expected a JSON array of strings" });
  const secure = first(ctx.params, "secure_resource") === "true";
  sendJson(ctx.res, 200, userMe(ctx.state, caller.user, { secure, keys }));
}

/**
 * `GET /v1/user/access_token_info` (§5.1): `{id, expires_in (remaining), app_id}`, where `app_id` is
 * the app the token was issued to — another app's id for a substituted token (DESIGN "Mobile apps").
 */
export function handleTokenInfo(ctx: RequestContext): void {
  const caller = authenticate(ctx, { admin: false });
  if (!caller?.token) return;
  const remaining = Math.max(0, Math.floor((caller.token.expiresAt - ctx.state.clock.now()) / 1000));
  sendJson(ctx.res, 200, {
    id: new JsonInt(caller.user.id),
    expires_in: remaining,
    app_id: numberOrString(caller.token.grant.appId),
  });
}

/** `POST /v1/user/logout` (§5.2): Bearer kills that login's tokens; KakaoAK kills all the user's. */
export function handleLogout(ctx: RequestContext): void {
  const caller = authenticate(ctx, { admin: true });
  if (!caller) return;
  if (caller.token) ctx.state.store.revokeGrant(caller.token.grant.id);
  else ctx.state.store.revokeUser(caller.user.id);
  sendJson(ctx.res, 200, { id: new JsonInt(caller.user.id) });
}

/**
 * `POST /v1/user/unlink` (§5.4): every token of the caller's app dies and that app's consent is
 * cleared (another app's token unlinks from that app only). No webhook is sent.
 */
export function handleUnlink(ctx: RequestContext): void {
  const caller = authenticate(ctx, { admin: true });
  if (!caller) return;
  ctx.state.store.unlink(caller.user.id, caller.appId);
  sendJson(ctx.res, 200, { id: new JsonInt(caller.user.id) });
}

/** `GET|POST /v1/oidc/userinfo` (§6.4); needs OIDC switched on. */
export function handleOidcUserinfo(ctx: RequestContext): void {
  const caller = authenticate(ctx, { admin: false });
  if (!caller) return;
  // The other app issues id_tokens (sdkLogin), so it counts as having OIDC switched on.
  if (caller.appId === ctx.state.config.appId && !ctx.state.config.oidc)
    return sendKapi(ctx.res, -3, { msg: "OpenID Connect is not enabled for this app." });
  const u = caller.user;
  const out: Record<string, unknown> = { sub: u.id };
  if (agreedTo(u, "profile_nickname") && u.nickname !== undefined) out.nickname = u.nickname;
  const picture = u.thumbnailImage ?? u.profileImage;
  if (agreedTo(u, "profile_image") && picture !== undefined) out.picture = picture;
  if (agreedTo(u, "account_email") && u.email !== undefined) {
    out.email = u.email;
    out.email_verified = u.isEmailValid !== false && u.isEmailVerified !== false;
  }
  sendJson(ctx.res, 200, out);
}
