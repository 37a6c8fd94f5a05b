import type { AuthConfig } from "@auth/core";
import { decryptJwe, encryptJwe, type JweKeyring } from "./jwe.js";

/**
 * Auth.js's session-token codec on node:crypto (same JWE format, so `getSession()` still reads it):
 * jose's WebCrypto path plus a key derivation per call was ~46% of login CPU (bench/).
 */
export function sessionTokenCodec(keyring: JweKeyring): NonNullable<AuthConfig["jwt"]> {
  return {
    encode({ token, salt, maxAge }) {
      const now = Math.floor(Date.now() / 1000);
      return encryptJwe({ ...(token ?? {}) }, keyring.keys(salt)[0]!, now + (maxAge ?? 30 * 24 * 60 * 60), now);
    },
    decode({ token, salt }) {
      if (!token) return null;
      const now = Math.floor(Date.now() / 1000);
      const claims = decryptJwe(token, keyring.keys(salt), now);
      // Auth.js's decode allows 15 s of clock tolerance on exp (jose refuses exp <= now - 15).
      if (!claims || (typeof claims.exp === "number" && claims.exp <= now - 15)) return null;
      return claims;
    },
  };
}
