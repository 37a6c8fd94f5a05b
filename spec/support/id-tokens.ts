import type { KakaoEmulator } from "../../lib/testing/index.js";
import type { LoginFlow } from "./login-flow.js";

/** The claims a valid Kakao id_token for this login attempt carries (kakao-api.md §6.3). */
export function idTokenClaimsFor(emulator: KakaoEmulator, flow: LoginFlow, userId: string): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    aud: emulator.clientId,
    sub: userId,
    auth_time: now,
    iss: emulator.url,
    exp: now + 21599,
    iat: now,
  };
  const nonce = flow.authorizeUrl?.searchParams.get("nonce");
  if (nonce) claims.nonce = nonce;
  return claims;
}

/** The same JWT with one character in the middle of its signature changed (six signature bits flipped). */
export function withFlippedSignature(jwt: string): string {
  const [header = "", payload = "", signature = ""] = jwt.split(".");
  const i = Math.floor(signature.length / 2);
  const flipped = signature[i] === "A" ? "B" : "A";
  return `${header}.${payload}.${signature.slice(0, i)}${flipped}${signature.slice(i + 1)}`;
}

/**
 * Makes the emulator's next code exchange answer with this id_token in an otherwise well-formed
 * token response (the code is not consumed).
 */
export function answerNextCodeExchangeWith(emulator: KakaoEmulator, idToken: string): void {
  emulator.fail("token", {
    body: {
      access_token: "forged-access-token-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH",
      token_type: "bearer",
      refresh_token: "forged-refresh-token-0123456789abcdefghijklmnopqrstuvwxyzABCDEF",
      id_token: idToken,
      expires_in: 21599,
      scope: "openid profile_nickname",
      refresh_token_expires_in: 5183999,
    },
  });
}
