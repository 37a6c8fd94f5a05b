// This package, cookie store. BENCH_VARIANT: "anon" (no cookie, unguarded /me), "cache" (same
// cookie every request: LRU hit), "nocache" (session.cacheSize 0: decrypt on every request).
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
  kakaoAuth({ ...emulator.options, secret: SECRET, ...(variant === "nocache" ? { session: { cacheSize: 0 } } : {}) }),
);
if (variant === "anon") app.get("/me", (req, res) => res.json(req.kakaoUser ?? null));
else app.get("/me", requireKakaoUser(), (req, res) => res.json(req.kakaoUser));
const cookie = variant === "anon" ? undefined : await signInAs(app, USER_ID);
await emulator.close();
server.use(app);
server.ready(cookie ? { cookie } : {});
