// Login throughput, this package: kakaoAuth() on Express 4 (as @auth/express needs Express 4),
// talking to the emulator at BENCH_EMULATOR_URL.
import express5 from "express";
import express4 from "express4";
import { kakaoAuth } from "express-kakao-auth";
import { SECRET } from "../lib/constants.js";
import { startServer } from "../lib/serve.js";

const emu = process.env.BENCH_EMULATOR_URL!;
const server = await startServer();
const app = (express4 as unknown as typeof express5)();
app.use(
  kakaoAuth({
    clientId: process.env.BENCH_CLIENT_ID,
    clientSecret: process.env.BENCH_CLIENT_SECRET,
    authOrigin: emu,
    apiOrigin: emu,
    secret: SECRET,
    appId: process.env.BENCH_APP_ID,
    tokenExchange: { audiences: [process.env.BENCH_NATIVE_KEY!] },
  }),
);
server.use(app);
server.ready();
