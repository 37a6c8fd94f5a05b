// This package, cookie store. BENCH_VARIANT: "anon" (no cookie, unguarded /me), "cache" (same
// cookie every request: LRU hit), "nocache" (session.cacheSize 0: decrypt on every request),
// "bearer" (a session token from the SDK token exchange, sent as Authorization: Bearer).
import express from "express";
import { kakaoAuth, requireKakaoUser } from "express-kakao-auth";
import { signInAs, startKakaoEmulator } from "express-kakao-auth/testing";
import { SECRET, USER_ID } from "../lib/constants.js";
import { startServer } from "../lib/serve.js";

const variant = process.env.BENCH_VARIANT ?? "cache";
const server = await startServer();
const emulator = await startKakaoEmulator();
const app = express();
app.use(
  kakaoAuth({
    ...emulator.options,
    secret: SECRET,
    ...(variant === "nocache" ? { session: { cacheSize: 0 } } : {}),
    ...(variant === "bearer"
      ? { session: { bearer: true }, appId: emulator.appId, tokenExchange: { audiences: [emulator.appKeys.native] } }
      : {}),
  }),
);
if (variant === "anon") app.get("/me", (req, res) => res.json(req.kakaoUser ?? null));
else app.get("/me", requireKakaoUser(), (req, res) => res.json(req.kakaoUser));
server.use(app);
if (variant === "bearer") {
  // The mobile app's path: Kakao's SDK logged in, its id_token is exchanged for a session token.
  emulator.addUser({ id: USER_ID });
  const sdk = await emulator.sdkLogin(USER_ID, { app: "native", nonce: "bench-nonce" });
  const res = await fetch(`${server.origin}/auth/token/kakao`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id_token: sdk.idToken, nonce: "bench-nonce" }),
  });
  const { sessionToken } = (await res.json()) as { sessionToken: string };
  await emulator.close();
  server.ready({ extra: { authorization: `Bearer ${sessionToken}` } });
} else {
  const cookie = variant === "anon" ? undefined : await signInAs(app, USER_ID);
  await emulator.close();
  server.ready(cookie ? { cookie } : {});
}
