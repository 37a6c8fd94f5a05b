// Login throughput, @auth/express: ExpressAuth with the stock Kakao provider, its endpoints pointed
// at the emulator (BENCH_EMULATOR_URL). Mounted as its docs show, which works on Express 4 only.
import Kakao from "@auth/core/providers/kakao";
import { ExpressAuth } from "@auth/express";
import express5 from "express";
import express4 from "express4";
import { SECRET } from "../lib/constants.js";
import { startServer } from "../lib/serve.js";

const emu = process.env.BENCH_EMULATOR_URL!;
const server = await startServer();
const app = (express4 as unknown as typeof express5)();
app.use(
  "/auth/*",
  ExpressAuth({
    providers: [
      Kakao({
        clientId: process.env.BENCH_CLIENT_ID,
        clientSecret: process.env.BENCH_CLIENT_SECRET,
        authorization: `${emu}/oauth/authorize?scope`,
        token: `${emu}/oauth/token`,
        userinfo: `${emu}/v2/user/me`,
      }),
    ],
    secret: SECRET,
    trustHost: true,
  }) as never,
);
server.use(app);
server.ready();
