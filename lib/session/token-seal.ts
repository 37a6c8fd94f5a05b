import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { JweKey } from "../authjs/jwe.js";
import type { KakaoTokens } from "../types.js";

/**
 * Kakao's tokens sealed for a server-side session record: AES-256-GCM under a key derived from the
 * app secret, as `v1.<iv>.<ciphertext>.<tag>`. Half the size of a JWE: express-session hashes the
 * whole record twice per request (its change detection), so every byte is paid on each request.
 */
export function sealTokens(tokens: KakaoTokens, key: JweKey): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key.gcm, iv);
  const ct = Buffer.concat([cipher.update(JSON.stringify(tokens), "utf8"), cipher.final()]);
  return `v1.${iv.toString("base64url")}.${ct.toString("base64url")}.${cipher.getAuthTag().toString("base64url")}`;
}

/** The tokens, when `sealed` was sealed by one of `keys` (secret rotation) and is untouched. */
export function openTokens(sealed: string, keys: readonly JweKey[]): KakaoTokens | undefined {
  const [version, iv, ct, tag] = sealed.split(".");
  if (version !== "v1" || !iv || !ct || !tag) return undefined;
  for (const key of keys) {
    try {
      const decipher = createDecipheriv("aes-256-gcm", key.gcm, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      const text = Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
      const tokens = JSON.parse(text) as KakaoTokens;
      if (typeof tokens?.accessToken === "string") return tokens;
    } catch {
      // another key, or tampered
    }
  }
  return undefined;
}
