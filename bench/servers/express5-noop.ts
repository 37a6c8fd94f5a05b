// Reference: plain Express 5 with one no-op middleware in front, i.e. the least any middleware costs.
import express from "express";
import { USER } from "../lib/constants.js";
import { startServer } from "../lib/serve.js";

const server = await startServer();
const app = express();
app.use((_req, _res, next) => next());
app.get("/me", (_req, res) => {
  res.json(USER);
});
server.use(app);
server.ready();
