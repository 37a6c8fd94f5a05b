import { errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";

/** Clock tolerance for id_token `exp`/`iat` (OIDC Core §3.1.3.7 allows "small"). */
const CLOCK_TOLERANCE_S = 30;
/**
 * How far in the future an id_token's `iat` may lie: a Kakao clock up to 5 minutes ahead is
 * tolerated (security-tests RT-06), a token "issued" later than that is refused (OIDC-07).
 */
const MAX_IAT_SKEW_S = 300;

export interface IdTokenChecks {
  issuer: string;
  /** The app key(s) the token must be issued to. */
  audience: string | readonly string[] | undefined;
}

/**
 * Verifies an id_token's RS256 signature against Kakao's JWKS and its `iss`, `aud`, `sub`, `exp`
 * and `iat`. A token without `kid` while the JWKS holds several keys is accepted only when exactly
 * one of them verifies it (security-tests OIDC-10).
 */
export async function verifyIdToken(
  idToken: string,
  jwks: JWTVerifyGetKey,
  checks: IdTokenChecks,
): Promise<JWTPayload> {
  const options = {
    algorithms: ["RS256"],
    issuer: checks.issuer,
    audience:
      typeof checks.audience === "string" || checks.audience === undefined ? checks.audience : [...checks.audience],
    clockTolerance: CLOCK_TOLERANCE_S,
    requiredClaims: ["sub", "iat", "exp"],
  };
  let payload: JWTPayload;
  try {
    payload = (await jwtVerify(idToken, jwks, options)).payload;
  } catch (err) {
    if (!(err instanceof joseErrors.JWKSMultipleMatchingKeys)) throw err;
    const verified: JWTPayload[] = [];
    for await (const key of err) {
      try {
        verified.push((await jwtVerify(idToken, key, options)).payload);
      } catch {
        // not this key
      }
    }
    if (verified.length !== 1 || !verified[0])
      throw new Error("no kid, and not exactly one JWKS key verifies the signature");
    payload = verified[0];
  }
  if (typeof payload.iat !== "number" || payload.iat > Math.floor(Date.now() / 1000) + MAX_IAT_SKEW_S)
    throw new Error('"iat" claim lies in the future');
  return payload;
}
