// passport + passport-kakao + express-session on connect-redis (BENCH_REDIS_URL). The session is
// minted by logging in through POST /login, which calls req.login(user): no Kakao needed.
import { RedisStore } from "connect-redis";
import express from "express";
import session from "express-session";
import passport from "passport";
import { Strategy as KakaoStrategy } from "passport-kakao";
import { createClient } from "redis";
import { SECRET, TOKENS, USER } from "../lib/constants.js";
import { cookieHeader, mergeCookies, startServer } from "../lib/serve.js";

interface SessionUser {
  user: typeof USER;
  tokens: typeof TOKENS;
}

const server = await startServer();
const client = createClient({ url: process.env.BENCH_REDIS_URL });
await client.connect();
passport.use(
  new KakaoStrategy(
    {
      clientID: "bench-rest-key",
      clientSecret: "bench-client-secret",
      callbackURL: `${server.origin}/auth/kakao/callback`,
    },
    (accessToken: string, refreshToken: string, _profile: unknown, done: (err: unknown, user?: SessionUser) => void) =>
      done(null, { user: USER, tokens: { ...TOKENS, accessToken, refreshToken } }),
  ),
);
passport.serializeUser((user, done) => done(null, user));
passport.deserializeUser((user: SessionUser, done) => done(null, user));

const app = express();
app.use(
  session({
    store: new RedisStore({ client, prefix: "passport:" }),
    secret: SECRET,
    resave: false,
    saveUninitialized: false,
  }),
);
app.use(passport.initialize());
app.use(passport.session());
app.post("/login", (req, res, next) => {
  req.login({ user: USER, tokens: TOKENS }, (err) => (err ? next(err) : res.sendStatus(204)));
});
app.get("/me", (req, res) => {
  if (!req.isAuthenticated()) return void res.status(401).json({ error: "unauthorized" });
  res.json((req.user as SessionUser).user);
});
server.use(app);
const jar = new Map<string, string>();
const login = await fetch(`${server.origin}/login`, { method: "POST" });
if (login.status !== 204) throw new Error(`passport /login answered ${login.status}`);
mergeCookies(jar, login);
server.ready({ cookie: cookieHeader(jar) });
