import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";

/** What the JWKS server answers: a key set, a status, a body that is not JSON, or JSON without `keys`. */
export type JwksAnswer = { keys: JWK[] } | { status: number } | "not json" | "no keys";

/** A real HTTP server on 127.0.0.1 serving a JWKS the spec controls, counting the requests. */
export interface JwksServer {
  readonly url: string;
  /** JWKS requests answered so far. */
  readonly requests: number;
  answer(next: JwksAnswer): void;
  close(): Promise<void>;
}

export async function startJwksServer(first: JwksAnswer): Promise<JwksServer> {
  let answer = first;
  let requests = 0;
  const server: Server = createServer((_req, res) => {
    requests++;
    if (answer === "not json") res.writeHead(200, { "content-type": "text/html" }).end("<h1>maintenance</h1>");
    else if (answer === "no keys") res.writeHead(200, { "content-type": "application/json" }).end("{}");
    else if ("status" in answer) res.writeHead(answer.status).end();
    else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get requests() {
      return requests;
    },
    answer: (next) => {
      answer = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A JWKS URL on a port nothing listens on (bound, then released). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/.well-known/jwks.json`;
}

export interface SigningKey {
  /** The public JWK, with `kid`, `alg` and `use` as Kakao publishes them. */
  readonly jwk: JWK;
  /** An RS256 id_token; `kid` defaults to the key's own, `null` leaves it out. */
  sign(kid?: string | null): Promise<string>;
}

export async function signingKey(kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return {
    jwk,
    sign: (header = kid) => signWith(privateKey, header),
  };
}

function signWith(privateKey: CryptoKey, kid: string | null): Promise<string> {
  return new SignJWT({ sub: "1376016924429759228" })
    .setProtectedHeader(kid === null ? { alg: "RS256" } : { alg: "RS256", kid })
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(privateKey);
}

/** A clock for `kakaoJWKS(url, fetch, { now })` that moves only when the spec says. */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}
