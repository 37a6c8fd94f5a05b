import type { KakaoSessionData } from "../types.js";

/**
 * The session token's claims: Auth.js's own (`sub`, `name`, `email`, `picture`, so `getSession()`
 * from `@auth/express` reads our sessions) plus the Kakao session under `kakao`.
 */
export function sessionClaims(data: KakaoSessionData): Record<string, unknown> {
  const { user } = data;
  return {
    sub: user.id,
    name: user.nickname ?? null,
    email: user.email ?? null,
    picture: user.profileImage ?? null,
    kakao: data,
  };
}
