import { customFetch } from "@auth/core";
import type { OAuthConfig, OAuthUserConfig } from "@auth/core/providers";
import type { TokenSet, User } from "@auth/core/types";
import { decodeJwt, type JWTVerifyGetKey } from "jose";
import { verifyIdToken } from "../kakao/id-token.js";
import { KakaoAuthError, isKakaoAuthError } from "../errors.js";
import { KakaoClient } from "../kakao/client.js";
import { kakaoOAuthError } from "../kakao/oauth-errors.js";
import type { KakaoProfile } from "../kakao/profile.js";
import { recordFlowError, type FlowContext } from "./login-attempt.js";

/** Options of `kakaoProvider()`, on top of Auth.js's own provider overrides. */
export interface KakaoProviderOptions extends Partial<Omit<OAuthUserConfig<KakaoProfile>, "checks">> {
  /** The app's REST API key. Env `AUTH_KAKAO_ID`. */
  clientId?: string;
  /** Kakao Login client secret, sent `client_secret_post`. Env `AUTH_KAKAO_SECRET`; leave unset when switched off. */
  clientSecret?: string;
  /** Extra consent items asked for at every sign-in (default none: the console's items apply). */
  scopes?: string[];
  /**
   * OpenID Connect (switch it on in the Kakao console first): `openid`, `nonce` and id_token checks.
   * @default false
   */
  oidc?: boolean;
  /** Kakao auth server. Env `KAKAO_AUTH_ORIGIN`. @default "https://kauth.kakao.com" */
  authOrigin?: string;
  /** Kakao API server. Env `KAKAO_API_ORIGIN`. @default "https://kapi.kakao.com" */
  apiOrigin?: string;
  /** Timeout for calls to Kakao, in milliseconds (default 10,000). */
  timeout?: number;
  /** Auth.js checks; default `["state", "pkce"]`, plus `"nonce"` with `oidc`. Weakening them is not advised. */
  checks?: OAuthConfig<KakaoProfile>["checks"];
}

async function readJSON(res: Response): Promise<unknown> {
  try {
    return JSON.parse(await res.text());
  } catch {
    return undefined;
  }
}

/**
 * The id_token failure inside an error Auth.js threw from the callback, if that is what it was:
 * oauth4webapi checks the `nonce` after the token `conform` step, and Auth.js wraps its error (the
 * JWT claims travel in the cause). Lets the error page say `id_token` rather than a generic failure.
 */
export function idTokenFailureIn(thrown: unknown): KakaoAuthError | undefined {
  const cause = (thrown as { cause?: { err?: unknown; claims?: unknown } } | undefined)?.cause;
  if (!(cause?.err instanceof Error) || typeof cause.claims !== "object" || cause.claims === null) return undefined;
  return new KakaoAuthError("ERR_KAKAO_ID_TOKEN", `Kakao id_token rejected: ${cause.err.message.slice(0, 200)}`);
}

/**
 * What `kakaoAuth()` hands its own provider: the current attempt (failures are recorded there for
 * the error page, since Auth.js drops causes) and the JWKS cache shared across attempts.
 */
export const ATTEMPT = Symbol("express-kakao-auth.attempt");
export interface AttemptOptions {
  context?: FlowContext;
  client?: KakaoClient;
}

/**
 * The Kakao provider for Auth.js, fixed against the stock `@auth/core/providers/kakao`:
 * state + PKCE, exact ids past 2^53, email only when valid and verified, no default scopes,
 * client_secret_post, Kakao's issuer, and with `oidc` a nonce and a verified id_token signature.
 */
export function kakaoProvider(
  options: KakaoProviderOptions & { [ATTEMPT]?: AttemptOptions } = {},
): OAuthConfig<KakaoProfile> {
  const { [ATTEMPT]: attempt, ...rest } = options;
  const ctx = attempt?.context;
  /** Fails the attempt: recorded for the error page, then thrown so Auth.js stops the login. */
  const stop: (error: KakaoAuthError) => never = (error) => {
    recordFlowError(ctx, error);
    throw error;
  };
  const {
    clientId = process.env.AUTH_KAKAO_ID,
    clientSecret = process.env.AUTH_KAKAO_SECRET,
    scopes = [],
    oidc = false,
    authOrigin: rawAuthOrigin = process.env.KAKAO_AUTH_ORIGIN ?? "https://kauth.kakao.com",
    apiOrigin: rawApiOrigin = process.env.KAKAO_API_ORIGIN ?? "https://kapi.kakao.com",
    timeout = 10_000,
    ...overrides
  } = rest;
  // A trailing slash would give "//oauth/authorize" and an issuer that never matches Kakao's `iss`.
  const authOrigin = rawAuthOrigin.replace(/\/+$/, "");
  const apiOrigin = rawApiOrigin.replace(/\/+$/, "");
  const client =
    attempt?.client ?? new KakaoClient({ clientId: clientId ?? "", clientSecret, authOrigin, apiOrigin, timeout });
  // Auth.js drops the cause of a failed request: a Kakao that does not answer (timeout, reset) is
  // recorded so the error page says "Kakao is unavailable" (security-tests TOK-03).
  const authjsFetch: typeof fetch = (input, init) =>
    client
      .fetch(input, init)
      .catch((err: unknown) =>
        stop(
          kakaoOAuthError(
            undefined,
            { error: "temporarily_unavailable", error_description: `Kakao did not answer: ${(err as Error).name}` },
            { timedOut: (err as Error).name === "TimeoutError" },
          ),
        ),
      );
  const jwks: JWTVerifyGetKey = client.jwks;
  const scope = [...new Set([...(oidc ? ["openid"] : []), ...scopes])].join(",");

  /** Sees Kakao's raw token answer before oauth4webapi parses it: the only place KOE codes are visible. */
  const conformTokenResponse = async (response: Response): Promise<Response> => {
    const body = await readJSON(response.clone());
    if (!response.ok) {
      stop(kakaoOAuthError(response.status, body, { redirectUri: ctx?.redirectUri, clientId }));
    }
    if (typeof body !== "object" || body === null)
      stop(
        kakaoOAuthError(response.status, {
          error: "invalid_response",
          error_description: "token response is not JSON",
        }),
      );
    const tokens = body as Record<string, unknown>;
    // Outside Auth.js's Account model (strict adapters refuse unknown fields): kept beside it.
    // Auth.js copies every token field into `account`; strict adapters refuse this one.
    let rewritten = false;
    if ("refresh_token_expires_in" in tokens) {
      if (ctx && typeof tokens.refresh_token_expires_in === "number")
        ctx.tokenExtras = { refreshTokenExpiresIn: tokens.refresh_token_expires_in };
      delete tokens.refresh_token_expires_in;
      rewritten = true;
    }
    if (typeof tokens.access_token !== "string" || typeof tokens.token_type !== "string")
      stop(
        kakaoOAuthError(response.status, {
          error: "invalid_response",
          error_description: "token response lacks access_token or token_type",
        }),
      );
    if (typeof tokens.id_token === "string") {
      if (!oidc) {
        // OIDC is on in the console but not here: the id_token is not asked for, so it is ignored
        // rather than failing on Auth.js's placeholder issuer (the stock provider's bug, §9.2).
        delete tokens.id_token;
        return new Response(JSON.stringify(tokens), { status: response.status, headers: response.headers });
      }
      try {
        await verifyIdToken(tokens.id_token, jwks, { issuer: authOrigin, audience: clientId });
      } catch (err) {
        // A JWKS that cannot be fetched is Kakao being unreachable, not a bad token.
        if ((err as { code?: unknown }).code === "ERR_KAKAO_JWKS_UNAVAILABLE")
          stop(
            kakaoOAuthError(undefined, {
              error: "temporarily_unavailable",
              error_description: "Kakao's JWKS could not be fetched",
            }),
          );
        stop(new KakaoAuthError("ERR_KAKAO_ID_TOKEN", `Kakao id_token rejected: ${(err as Error).message}`));
      }
    } else if (oidc) {
      stop(
        new KakaoAuthError(
          "ERR_KAKAO_ID_TOKEN",
          "Kakao sent no id_token although oidc is on. Enable OpenID Connect under Kakao Login → OpenID Connect in the console, or set oidc: false.",
        ),
      );
    }
    return rewritten
      ? new Response(JSON.stringify(tokens), { status: response.status, headers: response.headers })
      : response;
  };

  const requestProfile = async ({ tokens }: { tokens: TokenSet }): Promise<KakaoProfile> => {
    let profile: KakaoProfile;
    try {
      profile = await client.profile(tokens.access_token ?? "");
    } catch (err) {
      if (isKakaoAuthError(err)) stop(err);
      throw err;
    }
    if (oidc && typeof tokens.id_token === "string") {
      const sub = decodeJwt(tokens.id_token).sub;
      if (sub !== profile.id)
        stop(new KakaoAuthError("ERR_KAKAO_ID_TOKEN", "Kakao id_token sub differs from the /v2/user/me id."));
    }
    return profile;
  };

  const provider: OAuthConfig<KakaoProfile> = {
    id: "kakao",
    name: "Kakao",
    type: "oauth",
    // Kakao's issuer: oauth4webapi checks any id_token's `iss` against it (the stock provider's
    // missing issuer breaks logins once OIDC is on in the console, kakao-api.md §9.2).
    issuer: authOrigin,
    clientId,
    clientSecret,
    authorization: { url: `${authOrigin}/oauth/authorize`, params: { scope } },
    // `conform` and `request` exist at runtime but not in Auth.js's published endpoint types.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
    token: { url: `${authOrigin}/oauth/token`, conform: conformTokenResponse } as OAuthConfig<KakaoProfile>["token"],
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
    userinfo: { url: `${apiOrigin}/v2/user/me`, request: requestProfile } as OAuthConfig<KakaoProfile>["userinfo"],
    // Kakao accepts client_secret_post only (§3.3); without a secret only client_id is sent.
    client: { token_endpoint_auth_method: clientSecret ? "client_secret_post" : "none" },
    // "nonce" works at runtime for type "oauth" (authjs-notes.md) though the type omits it.
    checks: (oidc ? ["state", "pkce", "nonce"] : ["state", "pkce"]) as Array<"state" | "pkce">,
    profile(profile): User {
      const account = profile.kakao_account;
      const verified = account?.is_email_valid === true && account.is_email_verified === true;
      return {
        id: profile.id,
        name: account?.profile?.nickname ?? profile.properties?.nickname ?? null,
        email: verified ? (account.email ?? null) : null,
        image: account?.profile?.profile_image_url ?? profile.properties?.profile_image ?? null,
      };
    },
    // Only the fields of Auth.js's documented Account model: strict adapters (Prisma's schema,
    // next-auth#6708) fail `linkAccount` on anything else.
    account(tokens) {
      return {
        access_token: tokens.access_token,
        token_type: tokens.token_type,
        refresh_token: tokens.refresh_token,
        expires_at: tokens.expires_at,
        scope: tokens.scope,
        id_token: tokens.id_token,
      };
    },
    style: { bg: "#FEE500", text: "#191919" },
    [customFetch]: authjsFetch,
    options: overrides,
  };
  return provider;
}
