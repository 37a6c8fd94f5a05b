// This package with session.store "express-session": BENCH_STORE "memory" (MemoryStore) or
// "redis" (connect-redis on the redis-server at BENCH_REDIS_URL).
import { RedisStore } from "connect-redis";
import express from "express";
import session from "express-session";
import { createClient } from "redis";
import { kakaoAuth, requireKakaoUser } from "express-kakao-auth";
import { signInAs, startKakaoEmulator } from "express-kakao-auth/testing";
import { SECRET, USER_ID } from "../lib/constants.js";
import { startServer } from "../lib/serve.js";

const server = await startServer();
let store: session.Store | undefined;
if (process.env.BENCH_STORE === "redis") {
  const client = createClient({ url: process.env.BENCH_REDIS_URL });
  await client.connect();
  store = new RedisStore({ client, prefix: "kakao:" });
}
const emulator = await startKakaoEmulator();
const app = express();
app.use(session({ ...(store ? { store } : {}), secret: SECRET, resave: false, saveUninitialized: false }));
app.use(kakaoAuth({ ...emulator.options, secret: SECRET, session: { store: "express-session" } }));
app.get("/me", requireKakaoUser(), (req, res) => res.json(req.kakaoUser));
const cookie = await signInAs(app, USER_ID);
await emulator.close();
server.use(app);
server.ready({ cookie });
