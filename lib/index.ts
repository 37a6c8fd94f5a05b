export { kakaoAuth } from "./kakao-auth.js";
export { kakaoProvider, type KakaoProviderOptions } from "./authjs/provider.js";
export {
  requireKakaoUser,
  requireKakaoScopes,
  requireKakaoUserWhere,
  requireFreshLogin,
  kakaoErrorHandler,
  kakaoChecks,
  type GuardOptions,
} from "./guards.js";
export { revokeKakaoUser, type RevocationStore } from "./session/revocation.js";
export { revokeKakaoSession, type KakaoSessionInfo } from "./session/registry.js";
export { kakaoAdmin, type KakaoAdmin, type KakaoAdminOptions } from "./kakao/admin.js";
export { withdrawKakaoUser, type WithdrawResult } from "./withdraw.js";
export { redisRevocationStore, type RedisLike, type RedisRevocationStoreOptions } from "./session/revocation-redis.js";
export {
  KakaoAuthError,
  KakaoAuthConfigError,
  KakaoOAuthError,
  KakaoApiError,
  KakaoSessionStoreError,
  KAKAO_ERROR_CODES,
  isKakaoAuthError,
  type KakaoErrorCode,
} from "./errors.js";
export type { KakaoProfile, KakaoAccount, KakaoAccountProfile } from "./kakao/profile.js";
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
