import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from "node:crypto";

/**
 * Synchronous node:crypto codec for Auth.js session cookies (JWE `dir` + `A256CBC-HS512`, also
 * `A256GCM` on decrypt, as `@auth/core/jwt` accepts). Measured cost (issue 4): jose's WebCrypto
 * path takes ~600-850 µs per decode, this ~10 µs. It accepts exactly what `@auth/core/jwt` decode
 * accepts: header `alg`/`enc`/`kid` checked, the tag compared in constant time before decrypting.
 */
export interface JweKey {
  kid: string;
  cbc: Buffer; // 64 bytes: MAC key ‖ AES key
  gcm: Buffer; // 32 bytes
  gcmKid: string;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

function deriveRaw(secret: string, salt: string, length: number): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, salt, `Auth.js Generated Encryption Key (${salt})`, length));
}

/** RFC 7638 thumbprint of an `oct` JWK, as Auth.js puts it in the `kid` header. */
function thumbprint(key: Buffer, hash: "sha256" | "sha512"): string {
  return createHash(hash)
    .update(`{"k":"${key.toString("base64url")}","kty":"oct"}`)
    .digest("base64url");
}

/** Keys for one cookie name (the name is the HKDF salt), derived once per secret. */
export function deriveJweKeys(secrets: readonly string[], salt: string): JweKey[] {
  return secrets.map((secret) => {
    const cbc = deriveRaw(secret, salt, 64);
    const gcm = deriveRaw(secret, salt, 32);
    return { kid: thumbprint(cbc, "sha512"), cbc, gcm, gcmKid: thumbprint(gcm, "sha256") };
  });
}

function lengthBlock(aad: Buffer): Buffer {
  const al = Buffer.alloc(8);
  al.writeBigUInt64BE(BigInt(aad.length * 8));
  return al;
}

function cbcTag(macKey: Buffer, aad: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
  return createHmac("sha512", macKey)
    .update(aad)
    .update(iv)
    .update(ciphertext)
    .update(lengthBlock(aad))
    .digest()
    .subarray(0, 32);
}

/** Decrypts and parses a token; `null` for anything malformed, forged or for another secret. */
export function decryptJwe(token: string, keys: readonly JweKey[]): Record<string, unknown> | null {
  const parts = token.split(".");
  if (parts.length !== 5) return null;
  const [protectedB64, encryptedKey, ivB64, ctB64, tagB64] = parts as [string, string, string, string, string];
  if (
    encryptedKey !== "" ||
    !B64URL.test(protectedB64) ||
    !B64URL.test(ivB64) ||
    !B64URL.test(ctB64) ||
    !B64URL.test(tagB64)
  )
    return null;
  let header: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(protectedB64, "base64url").toString("utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
    header = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  if (header.alg !== "dir" || "zip" in header || "crit" in header) return null;
  const kid = header.kid;
  if (kid !== undefined && typeof kid !== "string") return null;
  const iv = Buffer.from(ivB64, "base64url");
  const ciphertext = Buffer.from(ctB64, "base64url");
  const tag = Buffer.from(tagB64, "base64url");
  const aad = Buffer.from(protectedB64, "ascii");
  let plaintext: Buffer;
  try {
    if (header.enc === "A256CBC-HS512") {
      // Auth.js: without a kid only the first secret is tried.
      const key = kid === undefined ? keys[0] : keys.find((k) => k.kid === kid);
      if (!key || iv.length !== 16 || tag.length !== 32) return null;
      if (!timingSafeEqual(cbcTag(key.cbc.subarray(0, 32), aad, iv, ciphertext), tag)) return null;
      const decipher = createDecipheriv("aes-256-cbc", key.cbc.subarray(32), iv);
      plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } else if (header.enc === "A256GCM") {
      const key = kid === undefined ? keys[0] : keys.find((k) => k.gcmKid === kid);
      if (!key || iv.length !== 12 || tag.length !== 16) return null;
      const decipher = createDecipheriv("aes-256-gcm", key.gcm, iv);
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } else return null;
    const payload: unknown = JSON.parse(plaintext.toString("utf8"));
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return null;
    const claims = payload as Record<string, unknown>;
    for (const c of ["exp", "iat", "nbf"])
      if (claims[c] !== undefined && (typeof claims[c] !== "number" || !Number.isFinite(claims[c]))) return null;
    return claims;
  } catch {
    return null;
  }
}

/** Encrypts claims the way `@auth/core/jwt` encode does (`dir`, `A256CBC-HS512`, kid, iat, exp, jti). */
export function encryptJwe(
  claims: Record<string, unknown>,
  key: JweKey,
  expiresAt: number,
  nowSeconds: number,
): string {
  const header = Buffer.from(JSON.stringify({ alg: "dir", enc: "A256CBC-HS512", kid: key.kid })).toString("base64url");
  const payload = Buffer.from(JSON.stringify({ ...claims, iat: nowSeconds, exp: expiresAt, jti: randomUUID() }));
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", key.cbc.subarray(32), iv);
  const ciphertext = Buffer.concat([cipher.update(payload), cipher.final()]);
  const tag = cbcTag(key.cbc.subarray(0, 32), Buffer.from(header, "ascii"), iv, ciphertext);
  return `${header}..${iv.toString("base64url")}.${ciphertext.toString("base64url")}.${tag.toString("base64url")}`;
}

/** Keys per cookie name (the HKDF salt) for one secret list, derived on first use and kept. */
export class JweKeyring {
  readonly #secrets: readonly string[];
  readonly #bySalt = new Map<string, JweKey[]>();

  constructor(secrets: readonly string[]) {
    this.#secrets = secrets;
  }

  keys(salt: string): JweKey[] {
    let keys = this.#bySalt.get(salt);
    if (!keys) {
      keys = deriveJweKeys(this.#secrets, salt);
      this.#bySalt.set(salt, keys);
    }
    return keys;
  }
}
