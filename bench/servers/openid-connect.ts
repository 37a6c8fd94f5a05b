// express-openid-connect reading its encrypted appSession cookie. Its issuer is the Kakao emulator
// in OIDC mode; the session comes from one real login (code flow, PKCE, id_token checked).
import express from "express";
import eoc from "express-openid-connect";
import { startKakaoEmulator } from "express-kakao-auth/testing";
import { SECRET } from "../lib/constants.js";
import { cookieHeader, mergeCookies, startServer } from "../lib/serve.js";

const { auth, requiresAuth } = eoc; // CommonJS: no ESM named exports
const server = await startServer();
const emulator = await startKakaoEmulator({ oidc: true });
const app = express();
app.use(
  auth({
    issuerBaseURL: emulator.url,
    baseURL: server.origin,
    clientID: emulator.clientId,
    clientSecret: emulator.clientSecret ?? undefined,
    clientAuthMethod: "client_secret_post",
    secret: SECRET,
    authRequired: false,
    idpLogout: false,
    authorizationParams: { response_type: "code", response_mode: "query", scope: "openid" },
  }),
);
app.get("/me", requiresAuth(), (req, res) => res.json(req.oidc.user));
server.use(app);

const jar = new Map<string, string>();
const start = await fetch(`${server.origin}/login`, { redirect: "manual" });
mergeCookies(jar, start);
const consent = await fetch(start.headers.get("location") ?? "", { redirect: "manual" });
const callback = consent.headers.get("location");
if (!callback) throw new Error(`emulator authorize answered ${consent.status}`);
const done = await fetch(callback, { redirect: "manual", headers: { cookie: cookieHeader(jar) } });
mergeCookies(jar, done);
if (done.status !== 302)
  throw new Error(`express-openid-connect callback answered ${done.status}: ${await done.text()}`);
await emulator.close();
const cookie = [...jar]
  .filter(([k]) => k.startsWith("appSession"))
  .map(([k, v]) => `${k}=${v}`)
  .join("; ");
if (!cookie) throw new Error(`no appSession cookie after login (${[...jar.keys()].join(", ")})`);
server.ready({ cookie });
