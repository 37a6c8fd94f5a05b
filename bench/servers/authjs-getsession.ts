// @auth/express: getSession(req, config) per request, as its docs show, with the stock Kakao
// provider; the session cookie is minted by @auth/core/jwt encode (salt = cookie name).
import Kakao from "@auth/core/providers/kakao";
import { encode, type JWT } from "@auth/core/jwt";
import type { Session } from "@auth/core/types";
import { getSession } from "@auth/express";
import express from "express";
import { SECRET, USER } from "../lib/constants.js";
import { startServer } from "../lib/serve.js";

const server = await startServer();
const authConfig = {
  providers: [Kakao({ clientId: "bench-rest-key", clientSecret: "bench-client-secret" })],
  secret: SECRET,
  trustHost: true,
  // The usual way to expose the user id on the session (Auth.js keeps it in the token's `sub`).
  callbacks: {
    session: ({ session, token }: { session: Session; token: JWT }) => ({
      ...session,
      user: { ...session.user, id: token.sub },
    }),
  },
};
const app = express();
app.get("/me", async (req, res, next) => {
  try {
    const session = await getSession(req, authConfig);
    if (!session?.user) return void res.status(401).json({ error: "unauthorized" });
    res.json(session.user);
  } catch (err) {
    next(err);
  }
});
const salt = "authjs.session-token";
const token = await encode({
  token: { sub: USER.id, name: USER.nickname, email: USER.email, picture: USER.profileImage },
  secret: SECRET,
  salt,
});
server.use(app);
server.ready({ cookie: `${salt}=${token}` });
