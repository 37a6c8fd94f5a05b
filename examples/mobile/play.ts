/**
 * Plays a mobile app against an API with Kakao login: `npm run example:mobile`.
 *
 * The app logs in with Kakao's native SDK on the device (here: the emulator's `sdkLogin`, which
 * hands out what the SDK would), posts the SDK's tokens to the API's `POST /auth/token/kakao`, and
 * from then on calls the API with `Authorization: Bearer <sessionToken>` — no cookies, no browser.
 * Each step is printed; the script exits 0 when every answer was the expected one.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { realpathSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import express from "express";
import { kakaoAuth, kakaoErrorHandler, requireKakaoUser, type KakaoUser } from "../../lib/index.js";
import { startKakaoEmulator, type EmulatorUser, type KakaoEmulator } from "../../lib/testing/index.js";

/** The user who logs in on the "device": a Kakao id past 2^53, kept exact end to end. */
export const MOBILE_USER: EmulatorUser = { id: "1376016924429759228", nickname: "어피치" };

export interface MobileFlowOptions {
  /** The Kakao emulator; default a new one (closed at the end). */
  emulator?: KakaoEmulator;
  /** Receives each step as one line; default: nothing is printed. */
  log?: (line: string) => void;
}

export interface MobileFlowResult {
  /** The API's answer to the token exchange. */
  exchange: { user: KakaoUser; sessionToken: string; expiresAt: string };
  /** What `GET /me` answered with the bearer session token. */
  me: KakaoUser;
  /** The session token after `GET /me` (a renewed one when the API sent `Kakao-Session-Token`). */
  sessionToken: string;
  /** The API's answer to an access token Kakao issued to another app (token substitution). */
  substituted: { status: number; error: string };
}

/** The mobile app's backend: token exchange for the SDK's tokens, sessions as bearer tokens. */
function buildApi(emulator: KakaoEmulator): express.Express {
  const app = express();
  app.use(
    kakaoAuth({
      ...emulator.options,
      secret: randomBytes(33).toString("base64"),
      // The app ids Kakao's SDKs put in an id_token's `aud`: the native app key (Android/iOS SDK)
      // and the JavaScript key (JS SDK); the REST API key (clientId) is always accepted.
      tokenExchange: { audiences: [emulator.appKeys.native, emulator.appKeys.javascript] },
      // An access token must have been issued to this app (access_token_info's app_id): a token
      // from another app is refused, the substitution attack.
      appId: emulator.appId,
      session: { bearer: true },
    }),
  );
  app.get("/me", requireKakaoUser(), (req, res) => res.json(req.kakaoUser));
  app.use(kakaoErrorHandler());
  return app;
}

async function listen(app: express.Express): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function expectStatus(res: Response, status: number, what: string): Promise<unknown> {
  const body: unknown = await res.json();
  if (res.status !== status) throw new Error(`${what} answered ${res.status}, not ${status}: ${JSON.stringify(body)}`);
  return body;
}

/** Runs the mobile app's flow against a fresh API (and emulator, unless one is given). */
export async function playMobileApp(options: MobileFlowOptions = {}): Promise<MobileFlowResult> {
  const log = options.log ?? ((): void => {});
  const ownEmulator = options.emulator ? undefined : await startKakaoEmulator({ users: [MOBILE_USER] });
  const emulator = (options.emulator ?? ownEmulator)!;
  const api = await listen(buildApi(emulator));
  try {
    log(`API with tokenExchange and session.bearer at ${api.url} (Kakao emulator at ${emulator.url})`);

    // 1. On the device: Kakao's SDK logs the user in. The app makes a nonce per login, gives it to
    //    the SDK (it ends up in the id_token) and sends it along, so a stolen id_token cannot be replayed.
    const nonce = randomUUID();
    const sdk = await emulator.sdkLogin(MOBILE_USER, { app: "native", nonce });
    log(`1. Kakao SDK login with the native app key: access token and id_token for user ${MOBILE_USER.id}`);

    // 2. The app trades the SDK's tokens for a session of its own backend.
    const exchanged = await fetch(`${api.url}/auth/token/kakao`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id_token: sdk.idToken, nonce, access_token: sdk.accessToken }),
    });
    const exchange = (await expectStatus(exchanged, 200, "POST /auth/token/kakao")) as MobileFlowResult["exchange"];
    log(
      `2. POST /auth/token/kakao → 200: ${exchange.user.nickname} (${exchange.user.id}), session token until ${exchange.expiresAt}`,
    );

    // 3. Every API call carries the session token; a renewed one comes back in Kakao-Session-Token.
    let sessionToken = exchange.sessionToken;
    const meRes = await fetch(`${api.url}/me`, { headers: { authorization: `Bearer ${sessionToken}` } });
    const me = (await expectStatus(meRes, 200, "GET /me")) as KakaoUser;
    sessionToken = meRes.headers.get("kakao-session-token") ?? sessionToken;
    log(`3. GET /me with Authorization: Bearer → 200: ${me.nickname} (${me.id})`);

    // 4. An access token Kakao issued to *another* app for the same user: refused.
    const foreign = await emulator.sdkLogin(MOBILE_USER, { app: "other-native", oidc: false });
    const refusedRes = await fetch(`${api.url}/auth/token/kakao`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ access_token: foreign.accessToken }),
    });
    const refused = (await expectStatus(refusedRes, 401, "POST /auth/token/kakao (another app's token)")) as {
      error: string;
    };
    log(`4. Another app's access token → 401 ${refused.error}`);

    return { exchange, me, sessionToken, substituted: { status: refusedRes.status, error: refused.error } };
  } finally {
    await api.close();
    await ownEmulator?.close();
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await playMobileApp({ log: (line) => console.log(line) });
    console.log("Mobile app flow: OK");
  } catch (err) {
    console.error(`Mobile app flow failed: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
