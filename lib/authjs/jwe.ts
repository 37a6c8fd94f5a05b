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
 * path takes ~600-850 µs per decode, this ~10 µs. It accepts nothing that `@auth/core/jwt` decode
 * (jose `jwtDecrypt`, `clockTolerance: 15`) refuses: header `alg`/`enc`/`kid` checked, the tag
 * compared in constant time before decrypting, the claim checks jose makes, except `exp` (see
 * {@link decryptJwe}).
 */
export interface JweKey {
  kid: string;
  cbc: Buffer; // 64 bytes: MAC key ‖ AES key
  gcm: Buffer; // 32 bytes
  gcmKid: string;
}

const B64URL = /^[A-Za-z0-9_-]*$/;
/** `@auth/core/jwt` decode passes `clockTolerance: 15` to jose. */
const CLOCK_TOLERANCE_S = 15;
// jose decodes header and claims with a fatal UTF-8 decoder (so, like it, this drops a leading BOM);
// Buffer#toString would turn invalid bytes into U+FFFD and accept what jose refuses.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A compact part as jose (atob, on Node 20) reads it: 4n+1 characters cannot be base64, but
 * Buffer.from silently drops the last one, so a ciphertext with one character appended still
 * decrypted here while Auth.js refused it. Padding and whitespace, which atob tolerates, are refused
 * here: Auth.js never writes them and a cookie value cannot carry whitespace.
 */
function isBase64url(part: string): boolean {
  return part.length % 4 !== 1 && B64URL.test(part);
}

function parseObject(bytes: Buffer): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(strictUtf8.decode(bytes));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

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

/**
 * The checks jose's `jwtDecrypt` makes on the claims with Auth.js's options (jose
 * `lib/jwt_claims_set.js`, `jwt/decrypt.js`): `iat`, `nbf`, `exp` numbers when present, `nbf` not
 * later than now + 15 s, `iss`/`sub`/`aud` copied into the header equal to the claims. Auth.js sets
 * no `typ`, `maxTokenAge` or required claims, so jose checks neither `typ` nor the age of `iat`.
 * Non-finite times (`1e999` parses as Infinity) are refused although jose lets them through: an
 * `exp` of Infinity would be a cookie that never expires.
 */
function claimsAcceptable(header: Record<string, unknown>, claims: Record<string, unknown>, now: number): boolean {
  for (const c of ["exp", "iat", "nbf"])
    if (claims[c] !== undefined && (typeof claims[c] !== "number" || !Number.isFinite(claims[c]))) return false;
  if (typeof claims.nbf === "number" && claims.nbf > now + CLOCK_TOLERANCE_S) return false;
  for (const c of ["iss", "sub"]) if (header[c] !== undefined && header[c] !== claims[c]) return false;
  return header.aud === undefined || JSON.stringify(header.aud) === JSON.stringify(claims.aud);
}

/**
 * Decrypts and parses a token; `null` for anything malformed, forged, for another secret, or not
 * yet valid (`nbf`) at `nowSeconds`. An expired `exp` is left to the caller, the one way this is
 * more lenient than Auth.js's decode: the cookie store clears an expired cookie of its own but leaves
 * alone one it cannot read (another app's, another secret), so it must see the expired claims.
 */
export function decryptJwe(
  token: string,
  keys: readonly JweKey[],
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Record<string, unknown> | null {
  const parts = token.split(".");
  if (parts.length !== 5) return null;
  const [protectedB64, encryptedKey, ivB64, ctB64, tagB64] = parts as [string, string, string, string, string];
  if (
    encryptedKey !== "" ||
    !isBase64url(protectedB64) ||
    !isBase64url(ivB64) ||
    !isBase64url(ctB64) ||
    !isBase64url(tagB64)
  )
    return null;
  const header = parseObject(Buffer.from(protectedB64, "base64url"));
  // jose 6 would inflate `zip: "DEF"`; Auth.js never writes it, so it is refused rather than inflated.
  if (!header || header.alg !== "dir" || "zip" in header || "crit" in header) return null;
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
  } catch {
    return null;
  }
  const claims = parseObject(plaintext);
  return claims && claimsAcceptable(header, claims, nowSeconds) ? claims : null;
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
