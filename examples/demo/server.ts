/**
 * The demo `npm start` runs: Kakao login on Express 5 in a few lines. Without AUTH_KAKAO_ID it
 * starts the built-in Kakao emulator (an interactive consent page, no Kakao account needed);
 * with AUTH_KAKAO_ID / AUTH_KAKAO_SECRET it talks to the real Kakao.
 */
import { randomBytes } from "node:crypto";
import express from "express";
import { kakaoAuth, kakaoErrorHandler, requireKakaoUser } from "../../lib/index.js";
import { startKakaoEmulator } from "../../lib/testing/index.js";
import { homePage, profilePage } from "./pages.js";

const port = Number(process.env.PORT ?? 3000);
const baseURL = process.env.AUTH_URL ?? `http://localhost:${port}`;
const secret = process.env.AUTH_SECRET ?? randomBytes(33).toString("base64");
const useEmulator = !process.env.AUTH_KAKAO_ID;

const emulator = useEmulator
  ? await startKakaoEmulator({
      interactive: true,
      users: [
        { id: "4000000001", nickname: "라이언", email: "ryan@example.com", thumbnailImage: "" },
        { id: "1376016924429759228", nickname: "어피치 (id > 2^53)" },
      ],
    })
  : undefined;

const app = express();
app.use(kakaoAuth({ ...(emulator?.options ?? {}), secret, baseURL }));

app.get("/", (req, res) => res.send(homePage(req.kakaoUser)));
app.get("/profile", requireKakaoUser(), (req, res) => res.send(profilePage(req.kakaoUser!)));
app.get("/api/me", requireKakaoUser(), (req, res) => res.json(req.kakaoUser));
app.use(kakaoErrorHandler());

const server = app.listen(port, "127.0.0.1", () => {
  console.log(`express-kakao-auth demo: open ${baseURL}/`);
  if (emulator)
    console.log(`Kakao emulator at ${emulator.url} (set AUTH_KAKAO_ID and AUTH_KAKAO_SECRET to use the real Kakao)`);
  console.log(`Redirect URI to register in the Kakao console: ${baseURL}/auth/callback/kakao`);
});

const stop = (): void => {
  server.closeAllConnections();
  server.close();
  void emulator?.close();
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
