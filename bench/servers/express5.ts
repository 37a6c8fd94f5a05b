// Ceiling: plain Express 5 returning the same user JSON, no auth at all.
import express from "express";
import { USER } from "../lib/constants.js";
import { startServer } from "../lib/serve.js";

const server = await startServer();
const app = express();
app.get("/me", (_req, res) => {
  res.json(USER);
});
server.use(app);
server.ready();
