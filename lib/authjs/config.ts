import type { AuthConfig } from "@auth/core";
import type { Account } from "@auth/core/types";
import { decodeJwt } from "jose";
import type { ResolvedConfig } from "../config.js";
import { KakaoAuthError, isKakaoAuthError } from "../errors.js";
import { newSession, runSignInHooks } from "../sign-in.js";
import { redirectTarget } from "../http/return-to.js";
import type { KakaoClient } from "../kakao/client.js";
import { defaultKakaoUser, type KakaoProfile } from "../kakao/profile.js";
import { log } from "../log.js";
import type { KakaoSessionData, KakaoTokens, KakaoTokenSet, KakaoUser } from "../types.js";
import { sessionTokenCodec } from "./codec.js";
import { sessionClaims } from "./session-claims.js";
import type { JweKeyring } from "./jwe.js";
import { recordFlowError, type FlowContext } from "./login-attempt.js";
import { ATTEMPT, kakaoProvider } from "./provider.js";

/** Auth.js logs errors to the console with causes that may quote Kakao's answers: route them to debug. */
const quietLogger = {
  error: (e: Error) => log.callback("auth.js: %s", e.name),
  warn: (code: string) => log.config("auth.js warning: %s", code),
  debug: () => undefined,
};

function tokensFrom(account: Account, ctx: FlowContext): KakaoTokens | undefined {
  if (typeof account.access_token !== "string") return undefined;
  const now = Math.floor(Date.now() / 1000);
  const tokens: KakaoTokens = {
    accessToken: account.access_token,
    expiresAt: typeof account.expires_at === "number" ? account.expires_at : now + 21599,
  };
  if (typeof account.refresh_token === "string") tokens.refreshToken = account.refresh_token;
  const rtIn = ctx.tokenExtras?.refreshTokenExpiresIn;
  if (typeof rtIn === "number") tokens.refreshTokenExpiresAt = now + rtIn;
  return tokens;
}

/**
 * When the user last authenticated at Kakao, as far as it is known. With OIDC, the verified
 * id_token's `auth_time`. Without it, Kakao says nothing: a silent `prompt=none` sign-in or Kakao
 * single sign-on asks for no password, so only a login the package itself sent with
 * `prompt=login` counts as now; otherwise the same user's earlier known time is kept, else 0
 * ("not known"), which `requireFreshLogin` never accepts.
 */
function authTimeOf(account: Account, profileId: string, ctx: FlowContext): number {
  if (typeof account.id_token === "string") {
    const { auth_time } = decodeJwt(account.id_token);
    if (typeof auth_time === "number") return auth_time;
  }
  if (ctx.freshLogin) return Math.floor(Date.now() / 1000);
  return ctx.previous?.user.id === profileId ? ctx.previous.user.authTime : 0;
}

/** Builds the session the user gets from Kakao's profile, token answer and the app's hooks; `undefined` when refused. */
async function buildSession(
  config: ResolvedConfig,
  profile: KakaoProfile,
  account: Account,
  ctx: FlowContext,
): Promise<KakaoSessionData | undefined> {
  const tokenSet = account as unknown as KakaoTokenSet;
  const defaults = defaultKakaoUser(profile, tokenSet, authTimeOf(account, profile.id, ctx));
  const verdict = await runSignInHooks(config, { profile, tokens: tokenSet, defaults, req: ctx.req });
  if (!verdict.ok) return undefined;
  const user: KakaoUser = verdict.user;
  return newSession(user, tokensFrom(account, ctx));
}

export type AuthConfigFor = (ctx: FlowContext, basePath: string) => AuthConfig;

/**
 * Builds the `@auth/core` config `kakaoAuth()` runs for one attempt: the Kakao provider, JWT
 * sessions, Kakao-aware callbacks, all closing over that attempt's `FlowContext`. What does not
 * depend on the attempt (the Kakao client with its JWKS cache, key derivation) is created once.
 * `basePath` is where the routes are served for this request (mount path included).
 */
export function authConfigFactory(config: ResolvedConfig, keyring: JweKeyring, client: KakaoClient): AuthConfigFor {
  const jwt = { ...sessionTokenCodec(keyring), ...config.authjs.jwt };
  const extra = config.authjs;
  return (ctx, basePath) => ({
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
        [ATTEMPT]: { context: ctx, client },
      }),
      ...(extra.providers ?? []),
    ],
    secret: config.secrets,
    basePath,
    // The router builds every URL it hands to Auth.js from baseURL or the (trust-proxy aware) request.
    trustHost: true,
    session: { strategy: "jwt", maxAge: config.session.maxAge, updateAge: config.session.updateAge },
    jwt,
    pages: { error: `${basePath}/error`, ...extra.pages },
    callbacks: {
      async signIn({ profile, account }) {
        if (!profile || !account || account.provider !== "kakao") return true;
        try {
          ctx.session = await buildSession(config, profile as unknown as KakaoProfile, account, ctx);
        } catch (err) {
          recordFlowError(
            ctx,
            isKakaoAuthError(err)
              ? err
              : new KakaoAuthError("ERR_KAKAO_SIGN_IN_HOOK", `A sign-in hook failed: ${(err as Error).message}`),
          );
          return false;
        }
        if (!ctx.session) {
          ctx.refused = true;
          return false;
        }
        return extra.callbacks?.signIn ? extra.callbacks.signIn({ profile: profile, account, user: { id: "" } }) : true;
      },
      async jwt(params) {
        let token = params.token;
        if (params.account && ctx.session) token = sessionClaims(ctx.session);
        const out = extra.callbacks?.jwt ? await extra.callbacks.jwt({ ...params, token }) : token;
        // Auth.js issues the session token from this: the attempt signed the user in.
        if (params.account && ctx.session && out) ctx.claims = { ...out, kakao: ctx.session };
        return out;
      },
      redirect({ url, baseUrl }) {
        return redirectTarget(url, new URL(baseUrl).origin, config.clients.allowedOrigins);
      },
      ...(extra.callbacks?.session ? { session: extra.callbacks.session } : {}),
    },
  });
}
