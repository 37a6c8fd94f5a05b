// Ceiling on Express 4: plain route returning the same user JSON.
import express5 from "express";
import express4 from "express4";
import { USER } from "../lib/constants.js";
import { startServer } from "../lib/serve.js";

const server = await startServer();
const app = (express4 as unknown as typeof express5)();
app.get("/me", (_req, res) => {
  res.json(USER);
});
server.use(app);
server.ready();
