import { createCipheriv, createHmac, randomBytes } from "node:crypto";
import type { JweKey } from "../../lib/authjs/jwe.js";

/**
 * Seals a JWE with any protected header, correctly encrypted and authenticated with `key`
 * (A256GCM when `header.enc` says so, else the A256CBC-HS512 construction), so a spec can check
 * that a decoder refuses a token for its header alone, not for a broken tag.
 */
export function sealJwe(
  header: Record<string, unknown>,
  payload: Record<string, unknown> | string,
  key: JweKey,
): string {
  const protectedB64 = Buffer.from(JSON.stringify(header)).toString("base64url");
  const aad = Buffer.from(protectedB64, "ascii");
  const plaintext = Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload));
  if (header.enc === "A256GCM") {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key.gcm, iv);
    cipher.setAAD(aad);
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return [
      protectedB64,
      "",
      iv.toString("base64url"),
      ct.toString("base64url"),
      cipher.getAuthTag().toString("base64url"),
    ].join(".");
  }
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", key.cbc.subarray(32), iv);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const al = Buffer.alloc(8);
  al.writeBigUInt64BE(BigInt(aad.length * 8));
  const tag = createHmac("sha512", key.cbc.subarray(0, 32))
    .update(aad)
    .update(iv)
    .update(ct)
    .update(al)
    .digest()
    .subarray(0, 32);
  return [protectedB64, "", iv.toString("base64url"), ct.toString("base64url"), tag.toString("base64url")].join(".");
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Changes one base64url character in the middle of part `index` (so a decoded byte really changes). */
export function flipChar(token: string, index: number): string {
  const parts = token.split(".");
  const part = parts[index] ?? "";
  if (part === "") {
    parts[index] = "AAAA";
    return parts.join(".");
  }
  const at = Math.floor(part.length / 2);
  const c = part[at] ?? "A";
  const next = ALPHABET[(ALPHABET.indexOf(c) + 1) % ALPHABET.length] ?? "A";
  parts[index] = `${part.slice(0, at)}${next}${part.slice(at + 1)}`;
  return parts.join(".");
}
