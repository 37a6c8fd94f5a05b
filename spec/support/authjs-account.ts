/**
 * The fields of Auth.js's Account model, which adapters store as columns (`@auth/core/adapters`
 * "Models": id, userId, type, provider, providerAccountId, refresh_token, access_token, expires_at,
 * token_type, scope, id_token, session_state), plus `expires_in`, which the `Account` type declares
 * through oauth4webapi's `TokenEndpointResponse` and Auth.js itself keeps for every OAuth provider.
 * A field outside this list (Kakao's `refresh_token_expires_in`) breaks adapters with a fixed schema.
 */
export const AUTHJS_ACCOUNT_FIELDS = [
  "id",
  "userId",
  "type",
  "provider",
  "providerAccountId",
  "refresh_token",
  "access_token",
  "expires_at",
  "token_type",
  "scope",
  "id_token",
  "session_state",
  "expires_in",
] as const;

/** The keys of an `account` object that lie outside Auth.js's Account model. */
export function keysOutsideAccountModel(account: object | null | undefined): string[] {
  const allowed: readonly string[] = AUTHJS_ACCOUNT_FIELDS;
  return Object.keys(account ?? {}).filter((key) => !allowed.includes(key));
}
