import { randomBytes } from "node:crypto";
import {
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importPKCS8,
  SignJWT,
  type CryptoKey,
  type JWK,
} from "jose";
import type { SignIdTokenOptions } from "./types.js";

interface RsaKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

/** Kakao-looking kid: 30 hex characters. */
function newKid(): string {
  return randomBytes(15).toString("hex");
}

async function newRsaKey(): Promise<RsaKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true, modulusLength: 2048 });
  const kid = newKid();
  const { n, e } = await exportJWK(publicKey);
  return { kid, privateKey, publicKey, jwk: { kid, kty: "RSA", alg: "RS256", use: "sig", n, e } };
}

function b64json(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString("base64url");
}

/** The emulator's ID-token signing keys: the current one first, older ones still published. */
export class KeyRing {
  private keys: RsaKey[];
  private unknown: RsaKey | undefined;
  private readonly reimported = new Map<string, CryptoKey>();

  private constructor(first: RsaKey) {
    this.keys = [first];
  }

  static async create(): Promise<KeyRing> {
    return new KeyRing(await newRsaKey());
  }

  get currentKid(): string {
    return this.current().kid;
  }

  private current(): RsaKey {
    const k = this.keys[0];
    if (!k) throw new Error("no signing key");
    return k;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => ({ ...k.jwk })) };
  }

  async rotate(dropOld = false): Promise<void> {
    const next = await newRsaKey();
    this.keys = dropOld ? [next] : [next, ...this.keys];
    this.reimported.clear();
  }

  /**
   * Signs `claims` as a JWT with header `{kid, typ:"JWT", alg}` (Kakao's order). See
   * `SignIdTokenOptions` for the deliberately broken variants used by the OIDC security tests.
   */
  async sign(claims: Record<string, unknown>, opts: SignIdTokenOptions = {}): Promise<string> {
    const alg = opts.alg ?? "RS256";
    if (opts.key === "unknown") this.unknown ??= await newRsaKey();
    const key = opts.key === "unknown" && this.unknown ? this.unknown : this.current();
    const kid = opts.kid === undefined ? key.kid : opts.kid;
    const header: Record<string, unknown> = { ...(kid === null ? {} : { kid }), typ: "JWT", alg, ...opts.header };
    header.alg = alg;
    if (alg === "none") return `${b64json(header)}.${b64json(claims)}.`;
    const jwt = new SignJWT(claims).setProtectedHeader(header as { alg: string });
    if (/^HS(256|384|512)$/.test(alg)) {
      // algorithm confusion: the RSA public key (SPKI PEM, what a naive verifier holds) as HMAC secret
      return jwt.sign(Buffer.from(await exportSPKI(this.current().publicKey)));
    }
    if (alg === "RS256") return jwt.sign(key.privateKey);
    if (/^(RS|PS)(256|384|512)$/.test(alg)) return jwt.sign(await this.reimport(key, alg));
    if (alg === "ES256") {
      const { privateKey } = await generateKeyPair("ES256");
      return jwt.sign(privateKey);
    }
    throw new TypeError(`signIdToken: unsupported alg ${alg}`);
  }

  /** The RSA private key re-imported for another RSA algorithm (WebCrypto keys are bound to one). */
  private async reimport(key: RsaKey, alg: string): Promise<CryptoKey> {
    const id = `${key.kid}:${alg}`;
    let k = this.reimported.get(id);
    if (!k) {
      k = await importPKCS8(await exportPKCS8(key.privateKey), alg);
      this.reimported.set(id, k);
    }
    return k;
  }
}
