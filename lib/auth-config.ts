import type { AuthConfig } from "@auth/core";
import type { Account } from "@auth/core/types";
import { decodeJwt } from "jose";
import type { ResolvedConfig } from "./config.js";
import { KakaoAuthError } from "./errors.js";
import { recordFlowError, type FlowContext } from "./flow-context.js";
import { kakaoJWKS } from "./jwks.js";
import { timedFetch } from "./timed-fetch.js";
import { decryptJwe, encryptJwe, type JweKeyring } from "./jwe.js";
import { log } from "./log.js";
import { defaultKakaoUser, type KakaoProfile } from "./profile.js";
import { ATTEMPT, kakaoProvider } from "./provider.js";
import { sameOriginPath } from "./return-to.js";
import type { KakaoSessionData, KakaoTokens, KakaoTokenSet, KakaoUser } from "./types.js";

/** Auth.js logs errors to the console with causes that may quote Kakao's answers: route them to debug. */
const quietLogger = {
  error: (e: Error) => log.callback("auth.js: %s", e.name),
  warn: (code: string) => log.config("auth.js warning: %s", code),
  debug: () => undefined,
};

function tokensFrom(account: Account): KakaoTokens | undefined {
  if (typeof account.access_token !== "string") return undefined;
  const now = Math.floor(Date.now() / 1000);
  const tokens: KakaoTokens = {
    accessToken: account.access_token,
    expiresAt: typeof account.expires_at === "number" ? account.expires_at : now + 21599,
  };
  if (typeof account.refresh_token === "string") tokens.refreshToken = account.refresh_token;
  const rtIn = (account as { refresh_token_expires_in?: unknown }).refresh_token_expires_in;
  if (typeof rtIn === "number") tokens.refreshTokenExpiresAt = now + rtIn;
  return tokens;
}

function authTimeOf(account: Account): number {
  if (typeof account.id_token === "string") {
    const { auth_time } = decodeJwt(account.id_token);
    if (typeof auth_time === "number") return auth_time;
  }
  return Math.floor(Date.now() / 1000);
}

/** Builds the session the user gets from Kakao's profile and token answer. */
function buildSession(config: ResolvedConfig, profile: KakaoProfile, account: Account): KakaoSessionData {
  const tokenSet = account as unknown as KakaoTokenSet;
  const authTime = authTimeOf(account);
  const defaults = defaultKakaoUser(profile, tokenSet, authTime);
  const user: KakaoUser = config.profile ? config.profile(profile, tokenSet, defaults) : defaults;
  const data: KakaoSessionData = { user, loginAt: Date.now() };
  const tokens = tokensFrom(account);
  if (tokens) data.tokens = tokens;
  return data;
}

/** The `@auth/core` config `kakaoAuth()` runs: the Kakao provider, JWT sessions, Kakao-aware callbacks. */
/**
 * Auth.js's session-token codec on node:crypto (same JWE format, so `getSession()` still reads it):
 * jose's WebCrypto path plus a key derivation per call was ~46% of login CPU (bench/).
 */
function sessionTokenCodec(keyring: JweKeyring): NonNullable<AuthConfig["jwt"]> {
  return {
    encode({ token, salt, maxAge }) {
      const now = Math.floor(Date.now() / 1000);
      return encryptJwe({ ...(token ?? {}) }, keyring.keys(salt)[0]!, now + (maxAge ?? 30 * 24 * 60 * 60), now);
    },
    decode({ token, salt }) {
      if (!token) return null;
      const claims = decryptJwe(token, keyring.keys(salt));
      // Auth.js's decode allows 15 s of clock tolerance on exp.
      if (!claims || (typeof claims.exp === "number" && claims.exp + 15 < Date.now() / 1000)) return null;
      return claims;
    },
  };
}

/**
 * Builds the `@auth/core` config `kakaoAuth()` runs for one attempt: the Kakao provider, JWT
 * sessions, Kakao-aware callbacks, all closing over that attempt's `FlowContext`. What does not
 * depend on the attempt (the JWKS cache, key derivation) is created once.
 */
export function authConfigFactory(config: ResolvedConfig, keyring: JweKeyring): (ctx: FlowContext) => AuthConfig {
  const jwks = kakaoJWKS(`${config.authOrigin}/.well-known/jwks.json`, timedFetch(config.timeout));
  const jwt = { ...sessionTokenCodec(keyring), ...config.authjs.jwt };
  const extra = config.authjs;
  return (ctx) => ({
    logger: quietLogger,
    ...extra,
    providers: [
      kakaoProvider({
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        scopes: config.scopes,
        oidc: config.oidc,
        authOrigin: config.authOrigin,
        apiOrigin: config.apiOrigin,
        timeout: config.timeout,
        [ATTEMPT]: { context: ctx, jwks },
      }),
      ...(extra.providers ?? []),
    ],
    secret: config.secrets,
    basePath: config.basePath,
    // The router builds every URL it hands to Auth.js from baseURL or the (trust-proxy aware) request.
    trustHost: true,
    session: { strategy: "jwt", maxAge: config.session.maxAge, updateAge: config.session.updateAge },
    jwt,
    pages: { error: `${config.basePath}/error`, ...extra.pages },
    callbacks: {
      async signIn({ profile, account }) {
        if (!profile || !account || account.provider !== "kakao") return true;
        try {
          ctx.session = buildSession(config, profile as unknown as KakaoProfile, account);
        } catch (err) {
          recordFlowError(
            ctx,
            new KakaoAuthError("ERR_KAKAO_PROFILE", `The profile option threw: ${(err as Error).message}`),
          );
          return false;
        }
        if (config.onSignIn && ctx.req) {
          const verdict = await config.onSignIn({ user: ctx.session.user, req: ctx.req });
          if (verdict === false) {
            ctx.refused = true;
            return false;
          }
        }
        return extra.callbacks?.signIn ? extra.callbacks.signIn({ profile: profile, account, user: { id: "" } }) : true;
      },
      async jwt(params) {
        let token = params.token;
        if (params.account && ctx.session) {
          const user = ctx.session.user;
          token = {
            sub: user.id,
            name: user.nickname ?? null,
            email: user.email ?? null,
            picture: user.profileImage ?? null,
            kakao: ctx.session,
          };
        }
        return extra.callbacks?.jwt ? extra.callbacks.jwt({ ...params, token }) : token;
      },
      redirect({ url, baseUrl }) {
        return `${new URL(baseUrl).origin}${sameOriginPath(url, new URL(baseUrl).origin)}`;
      },
      ...(extra.callbacks?.session ? { session: extra.callbacks.session } : {}),
    },
  });
}
