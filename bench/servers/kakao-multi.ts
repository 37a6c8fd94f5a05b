// One of three instances of the same app (cookie store, shared SECRET) for the multi-instance
// scenario. BENCH_REDIS_URL: with kakaoAuth({ redis }) (refresh lock, pushed revocations, session
// registry); without it, the same app on its own. Instance 0 signs the user in (through the
// emulator) and hands the cookie to the parent; every instance accepts it.
import express from "express";
import { createClient } from "redis";
import { kakaoAuth, requireKakaoUser } from "express-kakao-auth";
import { signInAs, startKakaoEmulator } from "express-kakao-auth/testing";
import { SECRET, USER_ID } from "../lib/constants.js";
import { startServer } from "../lib/serve.js";

const first = process.env.BENCH_INSTANCE === "0";
const redisUrl = process.env.BENCH_REDIS_URL;
const server = await startServer();
const emulator = first ? await startKakaoEmulator() : undefined;
const redis = redisUrl ? createClient({ url: redisUrl, disableOfflineQueue: true }) : undefined;
redis?.on("error", () => undefined);
await redis?.connect();
const app = express();
app.use(
  kakaoAuth({
    ...(emulator ? emulator.options : { clientId: "bench-rest-api-key", clientSecret: "bench-secret" }),
    secret: SECRET,
    ...(redis ? { redis } : {}),
  }),
);
app.get("/me", requireKakaoUser(), (req, res) => res.json(req.kakaoUser));
server.use(app);
const cookie = emulator ? await signInAs(app, USER_ID) : undefined;
await emulator?.close();
server.ready(cookie ? { cookie } : {});
