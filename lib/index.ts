export { kakaoAuth } from "./middleware.js";
export { kakaoProvider, type KakaoProviderOptions } from "./provider.js";
export {
  requireKakaoUser,
  requireKakaoScopes,
  requireKakaoUserWhere,
  requireFreshLogin,
  kakaoErrorHandler,
  kakaoChecks,
  type GuardOptions,
} from "./guards.js";
export { revokeKakaoUser, type RevocationStore } from "./revocation.js";
export { redisRevocationStore, type RedisLike, type RedisRevocationStoreOptions } from "./revocation-redis.js";
export {
  KakaoAuthError,
  KakaoAuthConfigError,
  KakaoOAuthError,
  KakaoApiError,
  KakaoSessionStoreError,
} from "./errors.js";
export type { KakaoProfile, KakaoAccount, KakaoAccountProfile } from "./profile.js";
export type {
  KakaoUser,
  KakaoAuthOptions,
  KakaoSessionOptions,
  KakaoRequestContext,
  KakaoTokens,
  KakaoSessionData,
  KakaoTokenSet,
  SignInUrlOptions,
} from "./types.js";
