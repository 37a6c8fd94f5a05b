import { hkdfSync } from "node:crypto";
import fc from "fast-check";
import { base64url, calculateJwkThumbprint, EncryptJWT, jwtDecrypt, type JWTPayload } from "jose";

/**
 * Random Auth.js session tokens sealed by jose, random damage to them, and the verdict of jose's
 * `jwtDecrypt` called exactly as `@auth/core/jwt` decode calls it (node_modules/@auth/core/jwt.js),
 * with a fixed `currentDate` so a property never straddles a second.
 */

type Enc = "A256CBC-HS512" | "A256GCM";

/** Auth.js's getDerivedEncryptionKey: HKDF-SHA256, salt = cookie name, 64 bytes for CBC, 32 for GCM. */
export function authjsKey(enc: Enc, secret: string, salt: string): Uint8Array {
  const length = enc === "A256GCM" ? 32 : 64;
  return new Uint8Array(hkdfSync("sha256", secret, salt, `Auth.js Generated Encryption Key (${salt})`, length));
}

/** The `kid` Auth.js writes: the RFC 7638 thumbprint with `sha${bits}` of the derived key. */
export function authjsKid(key: Uint8Array): Promise<string> {
  return calculateJwkThumbprint({ kty: "oct", k: base64url.encode(key) }, key.byteLength === 64 ? "sha512" : "sha256");
}

/** Claims as jose returns them from `jwtDecrypt` under Auth.js's options, or `null` when it refuses. */
export async function joseVerdict(
  token: string,
  secrets: readonly string[],
  salt: string,
  nowSeconds: number,
): Promise<JWTPayload | null> {
  try {
    const { payload } = await jwtDecrypt(
      token,
      // The key function of @auth/core/jwt decode, verbatim but for the names.
      async ({ kid, enc }) => {
        for (const secret of secrets) {
          const key = authjsKey(enc as Enc, secret, salt);
          if (kid === undefined) return key;
          if (kid === (await authjsKid(key))) return key;
        }
        throw new Error("no matching decryption secret");
      },
      {
        clockTolerance: 15,
        keyManagementAlgorithms: ["dir"],
        contentEncryptionAlgorithms: ["A256CBC-HS512", "A256GCM"],
        currentDate: new Date(nowSeconds * 1000),
      },
    );
    return payload;
  } catch {
    return null;
  }
}

export interface TokenRecipe {
  enc: Enc;
  /** Index into the secrets a test passes to {@link sealToken}. */
  secret: number;
  kid: "thumbprint" | "none" | "unknown";
  /** Seconds from now; `undefined` leaves the claim out. */
  iat: number | undefined;
  nbf: number | undefined;
  exp: number | undefined;
  claims: Record<string, unknown>;
  /** `iss`/`sub`/`aud` copied into the header (jose checks they equal the claims), or a different value. */
  replicated: { claim: "iss" | "sub" | "aud"; as: "same" | "different" } | undefined;
  typ: string | undefined;
}

const TIME_CLAIMS = ["iat", "nbf", "exp"];
const REPLICABLE = ["iss", "sub", "aud"];

/** Around now, with the ±15 s tolerance edges and fractions more likely than chance gives them. */
const offset = fc.option(
  fc.oneof(fc.integer({ min: -40, max: 40 }), fc.constantFrom(-16, -15.5, -15, -14, 14, 15, 15.5, 16)),
  { nil: undefined },
);

const claims = fc.record(
  {
    payload: fc.dictionary(
      fc.string({ maxLength: 8 }).filter((k) => k !== "__proto__" && ![...TIME_CLAIMS, ...REPLICABLE].includes(k)),
      fc.jsonValue({ maxDepth: 2 }),
      { maxKeys: 5 },
    ),
    iss: fc.string({ maxLength: 12 }),
    sub: fc.string({ maxLength: 12 }),
    aud: fc.oneof(fc.string({ maxLength: 12 }), fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 })),
  },
  { requiredKeys: ["payload"] },
);

export const tokenRecipe: fc.Arbitrary<TokenRecipe> = fc.record({
  enc: fc.constantFrom<Enc>("A256CBC-HS512", "A256GCM"),
  secret: fc.constantFrom(0, 0, 1, 2),
  kid: fc.constantFrom<TokenRecipe["kid"]>("thumbprint", "thumbprint", "thumbprint", "none", "unknown"),
  iat: offset,
  nbf: offset,
  exp: offset,
  claims: claims.map(({ payload, ...registered }) => ({ ...payload, ...registered })),
  replicated: fc.option(
    fc.record({
      claim: fc.constantFrom<"iss" | "sub" | "aud">("iss", "sub", "aud"),
      as: fc.constantFrom<"same" | "different">("same", "different"),
    }),
    // Most tokens carry none, so enough of them are accepted for the claims to be compared.
    { nil: undefined, freq: 2 },
  ),
  typ: fc.option(fc.constantFrom("JWT", "at+jwt", ""), { nil: undefined }),
});

/** Seals a recipe with jose's EncryptJWT and Auth.js's derived key, as Auth.js encode would. */
export async function sealToken(
  recipe: TokenRecipe,
  secrets: readonly string[],
  salt: string,
  nowSeconds: number,
): Promise<string> {
  const key = authjsKey(recipe.enc, secrets[recipe.secret % secrets.length]!, salt);
  const header: Record<string, unknown> = { alg: "dir", enc: recipe.enc };
  if (recipe.kid === "thumbprint") header.kid = await authjsKid(key);
  if (recipe.kid === "unknown") header.kid = "not-a-thumbprint";
  if (recipe.typ !== undefined) header.typ = recipe.typ;
  if (recipe.replicated) {
    const { claim, as } = recipe.replicated;
    header[claim] = as === "same" ? (recipe.claims[claim] ?? "absent in claims") : "not the claim";
  }
  const payload: Record<string, unknown> = { ...recipe.claims };
  for (const c of ["iat", "nbf", "exp"] as const) if (recipe[c] !== undefined) payload[c] = nowSeconds + recipe[c];
  return new EncryptJWT(payload).setProtectedHeader(header as { alg: "dir"; enc: Enc }).encrypt(key);
}

const B64URL_CHAR = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".split(""));

/**
 * Damage an attacker without the key can do. It stays within the base64url alphabet on purpose:
 * padding and whitespace, which jose's atob tolerates, are refused by decryptJwe (see its
 * isBase64url), so they are not a disagreement to look for here.
 */
export type Mutation =
  | { kind: "replace" | "insert"; at: number; char: string }
  | { kind: "delete" | "truncate"; at: number }
  | { kind: "append"; part: number; char: string }
  | { kind: "swap"; a: number; b: number }
  | { kind: "header"; change: "drop kid" | "other enc" | "add typ" | "reorder" };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom<"replace" | "insert">("replace", "insert"), at: fc.nat(), char: B64URL_CHAR }),
  fc.record({ kind: fc.constantFrom<"delete" | "truncate">("delete", "truncate"), at: fc.nat() }),
  // A character appended to a part is the one change that leaves the decoded bytes as they were
  // for Buffer.from (4n+1 characters), so it gets its own, frequent, case.
  fc.record({ kind: fc.constant("append" as const), part: fc.nat({ max: 4 }), char: B64URL_CHAR }),
  fc.record({ kind: fc.constant("swap" as const), a: fc.nat({ max: 4 }), b: fc.nat({ max: 4 }) }),
  fc.record({
    kind: fc.constant("header" as const),
    change: fc.constantFrom<"drop kid" | "other enc" | "add typ" | "reorder">(
      "drop kid",
      "other enc",
      "add typ",
      "reorder",
    ),
  }),
);

function changeHeader(encoded: string, change: Extract<Mutation, { kind: "header" }>["change"]): string {
  const header = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8")) as Record<string, unknown>;
  let next: Record<string, unknown>;
  if (change === "drop kid") {
    const { kid: _kid, ...rest } = header;
    next = rest;
  } else if (change === "other enc") next = { ...header, enc: header.enc === "A256GCM" ? "A256CBC-HS512" : "A256GCM" };
  else if (change === "add typ") next = { ...header, typ: "JWT" };
  else next = Object.fromEntries(Object.entries(header).reverse());
  return Buffer.from(JSON.stringify(next)).toString("base64url");
}

export function mutate(token: string, m: Mutation): string {
  const at = "at" in m ? m.at % (token.length + 1) : 0;
  const parts = token.split(".");
  switch (m.kind) {
    case "replace":
      return `${token.slice(0, at)}${m.char}${token.slice(at + 1)}`;
    case "insert":
      return `${token.slice(0, at)}${m.char}${token.slice(at)}`;
    case "delete":
      return `${token.slice(0, at)}${token.slice(at + 1)}`;
    case "truncate":
      return token.slice(0, at);
    case "append":
      parts[m.part] = `${parts[m.part]}${m.char}`;
      return parts.join(".");
    case "swap":
      [parts[m.a], parts[m.b]] = [parts[m.b]!, parts[m.a]!];
      return parts.join(".");
    case "header":
      parts[0] = changeHeader(parts[0]!, m.change);
      return parts.join(".");
  }
}
