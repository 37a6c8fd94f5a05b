/**
 * An SPA on one origin, its API with Kakao login on another: `npm run example:spa`.
 *
 * - The SPA (`public/`: plain HTML and one ES module, no build step) is served by a static server
 *   on http://127.0.0.1:5173.
 * - The API (Express + `kakaoAuth()`, against the built-in Kakao emulator) on http://127.0.0.1:3001.
 *
 * Why the session cookie works across the two: a cookie's SameSite is about *sites* (scheme +
 * registrable domain), not origins, and ports do not count. 127.0.0.1:5173 and 127.0.0.1:3001 are
 * one site, so `fetch(api, { credentials: "include" })` from the SPA sends the API's `SameSite=Lax`
 * cookie over plain http. The same holds in production for https://app.example.com and
 * https://api.example.com (one site, example.com): keep `sameSite: "lax"`; add
 * `cookie: { domain: "example.com" }` only if other hosts of the site must see the cookie too.
 * An SPA on a *different site* (https://app.example.net calling https://api.example.com) needs
 * `cookie: { sameSite: "none" }`, which browsers accept only with `Secure`, i.e. an https `baseURL`.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import cors from "cors";
import express from "express";
import { kakaoAuth, kakaoErrorHandler, requireKakaoUser } from "../../lib/index.js";
import { startKakaoEmulator, type KakaoEmulator } from "../../lib/testing/index.js";

const PUBLIC_DIR = fileURLToPath(new URL("./public/", import.meta.url));

export interface SpaExampleOptions {
  /** The Kakao emulator to log in through; default: a new one with its interactive consent page. */
  emulator?: KakaoEmulator;
  /** Port of the static SPA server on 127.0.0.1; default 0 (a free port). */
  spaPort?: number;
  /** Port of the API on 127.0.0.1; default 0 (a free port). */
  apiPort?: number;
  /** `AUTH_SECRET` of the API; default a random one. */
  secret?: string;
}

export interface SpaExample {
  /** Where the SPA is served, e.g. `http://127.0.0.1:5173`. */
  spaUrl: string;
  /** The API's origin, e.g. `http://127.0.0.1:3001`. */
  apiUrl: string;
  /** The emulator in use (the one passed in, or the one started). */
  emulator: KakaoEmulator;
  /** Stops both servers, and the emulator when this function started it. */
  close(): Promise<void>;
}

/** The static server: `public/`, plus `config.mjs` naming the API origin (what a build would inline). */
function spaApp(apiUrl: string): express.Express {
  const app = express();
  app.get("/config.mjs", (_req, res) => {
    res
      .type("text/javascript")
      .set("cache-control", "no-store")
      .send(`export const API_ORIGIN = ${JSON.stringify(apiUrl)};\n`);
  });
  app.use(express.static(PUBLIC_DIR));
  return app;
}

/** The API: CORS for the SPA's origin, Kakao login, and one guarded JSON route. */
function apiApp(emulator: KakaoEmulator, apiUrl: string, spaUrl: string, secret: string): express.Express {
  const app = express();
  // Before kakaoAuth(), so its answers (sign-out, /auth/session, a guard's 401) carry CORS headers too.
  app.use(
    cors({
      origin: spaUrl, // exactly the SPA's origin: with credentials a "*" is refused by browsers
      credentials: true, // let fetch(…, { credentials: "include" }) send and receive the cookie
      exposedHeaders: ["Kakao-Session-Token"], // renewed bearer tokens (session.bearer), readable by the SPA
    }),
  );
  app.use(
    kakaoAuth({
      ...emulator.options,
      secret,
      baseURL: apiUrl,
      // returnTo may be an absolute URL on these origins; sign-out accepts their Origin header.
      allowedOrigins: [spaUrl],
      // Same site (see the top of this file): Lax works. A different site: "none", over https.
      cookie: { sameSite: "lax" },
    }),
  );
  app.get("/", (_req, res) => res.type("text/plain").send(`The API of the SPA example. Open ${spaUrl}/\n`));
  app.get("/me", requireKakaoUser(), (req, res) => res.json(req.kakaoUser));
  app.use(kakaoErrorHandler());
  return app;
}

interface Bound {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Listens first, so each app can be built knowing both URLs (allowedOrigins needs the SPA's). */
async function bind(port: number): Promise<Bound> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Starts the SPA's static server and its API on two loopback ports. */
export async function startSpaExample(options: SpaExampleOptions = {}): Promise<SpaExample> {
  const ownEmulator = options.emulator
    ? undefined
    : await startKakaoEmulator({
        interactive: true,
        users: [
          { id: "4000000001", nickname: "라이언", email: "ryan@example.com" },
          { id: "1376016924429759228", nickname: "어피치" },
        ],
      });
  const emulator = (options.emulator ?? ownEmulator)!;
  const spa = await bind(options.spaPort ?? 0);
  const api = await bind(options.apiPort ?? 0).catch(async (err: unknown) => {
    await spa.close();
    throw err;
  });
  spa.server.on("request", spaApp(api.url));
  api.server.on("request", apiApp(emulator, api.url, spa.url, options.secret ?? randomBytes(33).toString("base64")));
  return {
    spaUrl: spa.url,
    apiUrl: api.url,
    emulator,
    close: async () => {
      await Promise.all([spa.close(), api.close()]);
      await ownEmulator?.close();
    },
  };
}

async function main(): Promise<void> {
  const example = await startSpaExample({
    spaPort: Number(process.env.SPA_PORT ?? 5173),
    apiPort: Number(process.env.API_PORT ?? 3001),
  });
  console.log(`SPA example: open ${example.spaUrl}/`);
  console.log(`API (Express + kakaoAuth) at ${example.apiUrl}, Kakao emulator at ${example.emulator.url}`);
  const stop = (): void => void example.close();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
