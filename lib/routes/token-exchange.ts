import { createHash } from "node:crypto";
import type { Request, Response } from "express";
import type { JWTPayload } from "jose";
import { LRUCache } from "lru-cache";
import { isKakaoAuthError } from "../errors.js";
import { bodyFields } from "../http/request-body.js";
import { verifyIdToken } from "../kakao/id-token.js";
import { defaultKakaoUser, type KakaoProfile } from "../kakao/profile.js";
import { log } from "../log.js";
import { sessionClaims } from "../authjs/session-claims.js";
import { newSession, runSignInHooks } from "../sign-in.js";
import type { RequestState } from "../session/request-state.js";
import type { KakaoTokens, KakaoUser } from "../types.js";
import { NO_STORE, originOr400, type RouteDeps } from "./route.js";

/** How long an id_token or nonce stays "seen": longer than any id_token Kakao issues is valid (hours). */
const REPLAY_MEMORY_MS = 24 * 60 * 60 * 1000;

class InvalidToken extends Error {}

function refuse(res: Response, status: number, error: string, description: string): void {
  res.status(status).set(NO_STORE).json({ error, error_description: description });
}

/** The profile an id_token alone vouches for (OIDC claims; Kakao's carry no email_verified). */
function profileFromIdToken(claims: JWTPayload): KakaoProfile {
  const profile: NonNullable<NonNullable<KakaoProfile["kakao_account"]>["profile"]> = {};
  if (typeof claims.nickname === "string") profile.nickname = claims.nickname;
  if (typeof claims.picture === "string") profile.profile_image_url = claims.picture;
  return { id: claims.sub!, kakao_account: { profile } };
}

/**
 * `POST {basePath}/token/kakao` (with `tokenExchange`): a mobile app or SPA that logged in with
 * Kakao's SDK trades its id_token or access token for the same session a web login gets. Tokens
 * Kakao issued to another app are refused (the substitution attack): an id_token's `aud` must be
 * one of `tokenExchange.audiences`, an access token's `app_id` must be `appId`.
 */
export function tokenExchangeRoute(deps: RouteDeps) {
  const { instance } = deps;
  const seen = new LRUCache<string, true>({ max: 200_000, ttl: REPLAY_MEMORY_MS });

  async function verifyId(idToken: string, nonce: string | undefined): Promise<JWTPayload> {
    const { config, client } = instance;
    let claims: JWTPayload;
    try {
      claims = await verifyIdToken(idToken, client.jwks, {
        issuer: config.authOrigin,
        audience: config.clients.tokenExchange!.audiences,
      });
    } catch (err) {
      if ((err as { code?: unknown }).code === "ERR_KAKAO_JWKS_UNAVAILABLE") throw err;
      throw new InvalidToken(`The id_token failed verification: ${(err as Error).message.slice(0, 120)}`);
    }
    // A token minted for a nonce is only accepted with it; and every id_token is accepted once,
    // so neither a replayed nonce nor a replay that leaves the nonce out signs anyone in.
    if (typeof claims.nonce === "string" && nonce === undefined)
      throw new InvalidToken("The id_token carries a nonce: send it with the token.");
    if (nonce !== undefined && claims.nonce !== nonce)
      throw new InvalidToken("The id_token's nonce differs from the nonce sent.");
    const keys = [`t:${createHash("sha256").update(idToken).digest("base64url")}`];
    if (nonce !== undefined) keys.push(`n:${createHash("sha256").update(nonce).digest("base64url")}`);
    if (keys.some((k) => seen.has(k))) throw new InvalidToken("This id_token or nonce was already used: a replay.");
    for (const k of keys) seen.set(k, true);
    return claims;
  }

  return async (req: Request, res: Response, state: RequestState): Promise<void> => {
    const { config, client } = instance;
    const origin = originOr400(req, res, deps);
    if (!origin) return;
    // A browser page of another site must not sign its visitor in with a token of its choosing
    // (login CSRF); apps send no Origin, browsers on the app's own frontends an allowed one.
    const sentOrigin = req.headers.origin;
    if (sentOrigin !== undefined && sentOrigin !== origin && !config.clients.allowedOrigins.includes(sentOrigin))
      return refuse(res, 403, "forbidden_origin", "This origin may not exchange Kakao tokens here.");
    const type = (req.headers["content-type"] ?? "").toLowerCase();
    if (!type.startsWith("application/json") && !type.startsWith("application/x-www-form-urlencoded"))
      return refuse(
        res,
        415,
        "unsupported_media_type",
        "Send JSON or a form: { id_token, nonce? } or { access_token }.",
      );
    const body = bodyFields(req);
    const idToken = body.id_token;
    const accessToken = body.access_token;
    if (!idToken && !accessToken)
      return refuse(
        res,
        400,
        "invalid_request",
        "Send an id_token (with its nonce) or an access_token from Kakao's SDK.",
      );
    try {
      let claims: JWTPayload | undefined;
      if (idToken) claims = await verifyId(idToken, body.nonce);
      let profile: KakaoProfile;
      let tokens: KakaoTokens | undefined;
      if (accessToken) {
        const info = await client.tokenInfo(accessToken).catch((err: unknown) => {
          if ((err as { code?: unknown }).code === "ERR_KAKAO_UNAVAILABLE") throw err;
          throw new InvalidToken("Kakao does not accept this access token (expired, revoked or unknown).");
        });
        if (info.appId !== config.appId) throw new InvalidToken("The access token was issued to another Kakao app.");
        if (claims && claims.sub !== info.userId)
          throw new InvalidToken("The id_token and the access token belong to different users.");
        profile = await client.profile(accessToken);
        if (profile.id !== info.userId) throw new InvalidToken("Kakao's profile differs from the token's user.");
        tokens = { accessToken, expiresAt: Math.floor(Date.now() / 1000) + info.expiresIn };
      } else profile = profileFromIdToken(claims!);

      const authTime = typeof claims?.auth_time === "number" ? claims.auth_time : 0;
      const defaults = defaultKakaoUser(profile, { scope: "" }, authTime);
      const tokenSet = tokens ? { access_token: tokens.accessToken, expires_at: tokens.expiresAt } : {};
      const verdict = await runSignInHooks(config, { profile, tokens: tokenSet, defaults, req });
      if (!verdict.ok) return refuse(res, 403, "access_denied", "This app does not allow this account to sign in.");
      const user: KakaoUser = verdict.user;
      const data = newSession(user, tokens);
      const claimSet = sessionClaims(data);
      await instance.createSession(req, res, state, data, claimSet);
      const { token, exp } = instance.bearer.issue(data, claimSet);
      log.session("token exchange signed in Kakao user %s", user.id);
      res
        .status(200)
        .set(NO_STORE)
        .json({ user, sessionToken: token, expiresAt: new Date(exp * 1000).toISOString() });
    } catch (err) {
      if (err instanceof InvalidToken) {
        log.session("token exchange refused: %s", err.message);
        return refuse(res, 401, "invalid_token", err.message);
      }
      if (isKakaoAuthError(err) && (err.code === "ERR_KAKAO_UNAVAILABLE" || err.code === "ERR_KAKAO_PROFILE"))
        return refuse(res, 503, "kakao_unavailable", "Kakao could not be reached. Try again.");
      if ((err as { code?: unknown }).code === "ERR_KAKAO_JWKS_UNAVAILABLE")
        return refuse(res, 503, "kakao_unavailable", "Kakao's signing keys could not be fetched. Try again.");
      if (isKakaoAuthError(err) && err.code === "ERR_KAKAO_SIGN_IN_HOOK") {
        log.session("token exchange: %s", err.message);
        return refuse(res, 403, "signin_failed", "The app could not complete this sign-in. Try again later.");
      }
      if (isKakaoAuthError(err) && err.code === "ERR_KAKAO_API_UNAUTHORIZED")
        return refuse(res, 401, "invalid_token", "Kakao does not accept this access token.");
      throw err;
    }
  };
}
