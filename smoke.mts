import express from "express";
import { kakaoAuth, requireKakaoUser } from "./lib/index.js";
import { startKakaoEmulator, signInAs } from "./lib/testing/index.js";
const emu = await startKakaoEmulator();
const app = express();
app.use(kakaoAuth({ ...emu.options, secret: "s".repeat(40) }));
app.get("/me", requireKakaoUser(), (req, res) => res.json(req.kakaoUser));
try {
  const cookie = await signInAs(app as never, { id: "1376016924429759228", nickname: "큰아이디", email: "a@b.c" });
  console.log("cookie", cookie.slice(0, 80));
  const server = app.listen(0, "127.0.0.1");
  await new Promise(r => server.once("listening", r));
  const port = (server.address() as any).port;
  const r = await fetch(`http://127.0.0.1:${port}/me`, { headers: { cookie } });
  console.log(r.status, await r.text());
  const r2 = await fetch(`http://127.0.0.1:${port}/me`, { headers: { accept: "text/html" }, redirect: "manual" });
  console.log(r2.status, r2.headers.get("location"));
  server.close();
} catch (e) { console.error("ERR", e); }
await emu.close();
