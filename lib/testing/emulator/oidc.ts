import { createLocalJWKSet, jwtVerify } from "jose";
import type { EmulatorState, RequestContext } from "./context.js";
import { first, sendJson } from "./http.js";
import { sendKoe } from "./kakao-errors.js";
import type { Grant } from "./store.js";
import type { EmulatorUser } from "./types.js";

const JSON_LOWER = { "Content-Type": "application/json;charset=utf-8" };

/** `GET /.well-known/openid-configuration` (§6.1), every URL on the emulator. */
export function handleDiscovery(ctx: RequestContext): void {
  const u = ctx.state.url;
  sendJson(
    ctx.res,
    200,
    {
      issuer: u,
      authorization_endpoint: `${u}/oauth/authorize`,
      token_endpoint: `${u}/oauth/token`,
      userinfo_endpoint: `${u}/v1/oidc/userinfo`,
      jwks_uri: `${u}/.well-known/jwks.json`,
      token_endpoint_auth_methods_supported: ["client_secret_post"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      request_uri_parameter_supported: false,
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: ["authorization_code", "refresh_token"],
      code_challenge_methods_supported: ["S256"],
      claims_supported: ["iss", "aud", "sub", "auth_time", "exp", "iat", "nonce", "nickname", "picture", "email"],
    },
    JSON_LOWER,
  );
}

/** `GET /.well-known/jwks.json` (§6.2). */
export function handleJwks(ctx: RequestContext): void {
  sendJson(ctx.res, 200, ctx.state.keys.jwks(), JSON_LOWER);
}

/** `POST /oauth/tokeninfo` (debug endpoint, §6.3): the payload of a valid id_token, else KOE400. */
export async function handleTokenInfo(ctx: RequestContext): Promise<void> {
  const token = first(ctx.params, "id_token") ?? "";
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(ctx.state.keys.jwks()), {
      issuer: ctx.state.url,
      algorithms: ["RS256"],
      currentDate: new Date(ctx.state.clock.now()),
    });
    sendJson(ctx.res, 200, payload);
  } catch {
    sendKoe(ctx.res, "KOE400", "", 400);
  }
}

/** Agreed to the nickname / image / email consent item (or the legacy combined `profile`). */
export function agreedTo(user: EmulatorUser, item: "profile_nickname" | "profile_image" | "account_email"): boolean {
  const agreed = user.agreedScopes ?? [];
  return agreed.includes(item) || (item !== "account_email" && agreed.includes("profile"));
}

/** Email usable in an id_token / OIDC userinfo: agreed, valid and verified. */
export function trustedEmail(user: EmulatorUser): string | undefined {
  return agreedTo(user, "account_email") && user.email && user.isEmailValid !== false && user.isEmailVerified !== false
    ? user.email
    : undefined;
}

/** id_token claims in Kakao's order: aud, sub, auth_time, iss, nickname, exp, iat, picture, email, nonce. */
export function idTokenClaims(
  emu: EmulatorState,
  user: EmulatorUser,
  p: { aud: string; authTime: number; exp: number; nonce: string | undefined },
): Record<string, unknown> {
  const iat = Math.floor(emu.clock.now() / 1000);
  const claims: Record<string, unknown> = {
    aud: p.aud,
    sub: user.id,
    auth_time: p.authTime,
    iss: emu.url,
  };
  if (agreedTo(user, "profile_nickname") && user.nickname !== undefined) claims.nickname = user.nickname;
  claims.exp = p.exp;
  claims.iat = iat;
  const picture = user.thumbnailImage ?? user.profileImage;
  if (agreedTo(user, "profile_image") && picture !== undefined) claims.picture = picture;
  const email = trustedEmail(user);
  if (email !== undefined) claims.email = email;
  if (p.nonce !== undefined) claims.nonce = p.nonce;
  return claims;
}

/**
 * Signs the id_token of a grant (claims as the grant's app sees the user), merging `overrides` (an
 * `undefined` value drops the claim), then applying a pending `setIdTokenOverride`.
 */
export async function issueIdToken(
  emu: EmulatorState,
  grant: Grant,
  p: { aud: string; exp: number; nonce: string | undefined; overrides?: Record<string, unknown> },
): Promise<string | undefined> {
  const known = emu.store.users.get(grant.userId);
  if (!known) return undefined;
  const user = emu.store.asSeenBy(known, grant.appId);
  let claims = idTokenClaims(emu, user, { aud: p.aud, authTime: grant.authTime, exp: p.exp, nonce: p.nonce });
  for (const [k, v] of Object.entries(p.overrides ?? {})) {
    if (v === undefined) delete claims[k];
    else claims[k] = v;
  }
  const o = emu.idTokenOverride;
  if (o && o.remaining > 0) {
    o.remaining -= 1;
    if (o.remaining <= 0) emu.idTokenOverride = null;
    if (o.fn) claims = o.fn(claims);
    return emu.keys.sign(claims, o.opts);
  }
  return emu.keys.sign(claims);
}
