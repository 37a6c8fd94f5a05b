import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestContext } from "./context.js";
import { first, sendJson } from "./http.js";
import { sendKoe } from "./kakao-errors.js";
import { issueIdToken } from "./oidc.js";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** base64url(sha256(verifier)) — the S256 transformation of RFC 7636. */
export function s256(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

/**
 * `POST /oauth/token` (§3). client_secret_post only: credentials are read from the form body (or the
 * query), never from an Authorization header. Checks in order: client_id (KOE101), client_secret
 * (KOE010), grant_type (KOE310), then the grant.
 */
export async function handleToken(ctx: RequestContext): Promise<void> {
  const { params, res, state: emu } = ctx;
  const clientId = first(params, "client_id");
  if (clientId !== emu.config.clientId) return sendKoe(res, "KOE101", clientId ?? "null");
  const secret = emu.config.clientSecret;
  if (secret !== null && !sameSecret(first(params, "client_secret"), secret)) return sendKoe(res, "KOE010");
  const grantType = first(params, "grant_type");
  if (grantType === "authorization_code") return codeGrant(ctx);
  if (grantType === "refresh_token") return refreshGrant(ctx);
  return sendKoe(res, "KOE310", grantType ?? "null");
}

/**
 * Code exchange. The code is consumed before any other check (single use, even when the request then
 * fails). PKCE failures answer `400 {"error":"invalid_grant","error_description":"invalid code_verifier"
 * (or "code_verifier is missing"),"error_code":"KOE314"}` — Kakao's real code for this is unconfirmed.
 */
async function codeGrant(ctx: RequestContext): Promise<void> {
  const { params, res, state: emu } = ctx;
  const { store, config } = emu;
  const code = first(params, "code");
  const rec = code ? store.takeCode(code) : undefined;
  if (!rec) return sendKoe(res, "KOE320", code ?? "null");
  if (first(params, "redirect_uri") !== rec.redirectUri) return sendKoe(res, "KOE303");
  if (rec.codeChallenge !== undefined) {
    const verifier = first(params, "code_verifier");
    if (!verifier) return sendKoe(res, "KOE314", "code_verifier is missing");
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || s256(verifier) !== rec.codeChallenge) {
      return sendKoe(res, "KOE314", "invalid code_verifier");
    }
  }
  const user = store.users.get(rec.userId);
  if (!user) return sendKoe(res, "KOE320", code ?? "null");
  const grant = store.newGrant(user.id, rec.idToken, rec.authTime, { appId: config.appId, clientId: rec.clientId });
  const access = store.issueAccess(grant);
  const refresh = store.issueRefresh(grant);
  const idToken = rec.idToken
    ? await issueIdToken(emu, grant, { aud: rec.clientId, exp: Math.floor(access.expiresAt / 1000), nonce: rec.nonce })
    : undefined;
  const scope = [...(user.agreedScopes ?? []), ...(idToken ? ["openid"] : [])].join(" ");
  sendJson(
    res,
    200,
    {
      access_token: access.token,
      token_type: "bearer",
      refresh_token: refresh.token,
      id_token: idToken,
      expires_in: config.accessTokenTtl,
      scope: scope || undefined,
      refresh_token_expires_in: config.refreshTokenTtl,
    },
    NO_STORE,
  );
}

/**
 * Refresh (§3.5): always a new access token; a new refresh token (and the old one's death) only when
 * the presented one has less than `refreshRotationThreshold` left; a renewed id_token (without nonce)
 * when the grant had one. Refresh tokens of this app's SDK logins (JS/native key) refresh here too.
 */
async function refreshGrant(ctx: RequestContext): Promise<void> {
  const { params, res, state: emu } = ctx;
  const { store, config, clock } = emu;
  const presented = first(params, "refresh_token");
  if (!presented) return sendKoe(res, "KOE319");
  const rec = store.findRefresh(presented);
  // Another app's refresh token (an SDK login there) is unknown to this app's key.
  if (!rec || rec.grant.appId !== config.appId || !store.users.has(rec.grant.userId)) return sendKoe(res, "KOE322");
  const access = store.issueAccess(rec.grant);
  let rotated: { token: string } | undefined;
  if (rec.expiresAt - clock.now() < config.refreshRotationThreshold * 1000) {
    rotated = store.issueRefresh(rec.grant);
    store.dropRefresh(presented);
  }
  const idToken = rec.grant.idToken
    ? // aud: the key refreshing (the REST key here, also for a grant the JS/native SDK started)
      await issueIdToken(emu, rec.grant, {
        aud: config.clientId,
        exp: Math.floor(access.expiresAt / 1000),
        nonce: undefined,
      })
    : undefined;
  sendJson(
    res,
    200,
    {
      access_token: access.token,
      token_type: "bearer",
      refresh_token: rotated?.token,
      id_token: idToken,
      expires_in: config.accessTokenTtl,
      refresh_token_expires_in: rotated ? config.refreshTokenTtl : undefined,
    },
    NO_STORE,
  );
}
