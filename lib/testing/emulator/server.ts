import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { handleAuthorize, handleDecide, handleKauthLogout } from "./authorize.js";
import type { EmulatorState, Handler, RequestContext } from "./context.js";
import { applyFault, hostKind, routeNames } from "./faults.js";
import { mergeParams, parseParams, sendHtml, sendKapiError, sendKauthError, type Params } from "./http.js";
import { handleDiscovery, handleJwks, handleTokenInfo as handleIdTokenInfo } from "./oidc.js";
import { faultPage } from "./pages.js";
import { handleRevokeScopes, handleScopes, handleTalkMemo } from "./scopes.js";
import { handleToken } from "./token.js";
import type { RecordedRequest } from "./types.js";
import { handleLogout, handleMe, handleOidcUserinfo, handleTokenInfo, handleUnlink } from "./user-api.js";

/** Bodies above this get 413; the rest of the upload is drained (up to HARD_LIMIT, then the socket is cut). */
export const MAX_BODY = 64 * 1024;
const HARD_LIMIT = 16 * 1024 * 1024;

/** Every path served on the one port (kauth and kapi together). */
const ROUTES = new Map<string, { methods: string[]; handler: Handler }>([
  ["/oauth/authorize", { methods: ["GET"], handler: handleAuthorize }],
  ["/oauth/authorize/decide", { methods: ["GET"], handler: handleDecide }],
  ["/oauth/token", { methods: ["POST"], handler: handleToken }],
  ["/oauth/logout", { methods: ["GET"], handler: handleKauthLogout }],
  ["/oauth/tokeninfo", { methods: ["POST"], handler: handleIdTokenInfo }],
  ["/.well-known/openid-configuration", { methods: ["GET"], handler: handleDiscovery }],
  ["/.well-known/jwks.json", { methods: ["GET"], handler: handleJwks }],
  ["/v2/user/me", { methods: ["GET", "POST"], handler: handleMe }],
  ["/v1/user/access_token_info", { methods: ["GET"], handler: handleTokenInfo }],
  ["/v1/user/logout", { methods: ["POST"], handler: handleLogout }],
  ["/v1/user/unlink", { methods: ["POST"], handler: handleUnlink }],
  ["/v1/oidc/userinfo", { methods: ["GET", "POST"], handler: handleOidcUserinfo }],
  ["/v2/user/scopes", { methods: ["GET"], handler: handleScopes }],
  ["/v2/user/revoke/scopes", { methods: ["POST"], handler: handleRevokeScopes }],
  ["/v2/api/talk/memo/default/send", { methods: ["POST"], handler: handleTalkMemo }],
]);

interface ReadBody {
  text: string;
  tooLarge: boolean;
}

function readBody(req: IncomingMessage): Promise<ReadBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers["content-length"] ?? 0) > MAX_BODY;
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      resolve({ text: tooLarge ? "" : Buffer.concat(chunks).toString("utf8"), tooLarge });
    };
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
      if (size > HARD_LIMIT) {
        req.socket.destroy();
        done();
      }
    });
    req.on("end", done);
    req.on("error", done);
    req.on("close", done);
  });
}

function parseBody(contentType: string | undefined, text: string): Params | string {
  if (text === "") return parseParams("");
  const type = (contentType ?? "").toLowerCase();
  if (type === "" || type.includes("application/x-www-form-urlencoded")) return parseParams(text);
  return text;
}

function sendError(
  res: ServerResponse,
  path: string,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  const kind = hostKind(path);
  if (kind === "page") sendHtml(res, status, faultPage(status));
  else if (kind === "kauth") sendKauthError(res, status, "invalid_request", message, "KOE001");
  else sendKapiError(res, status, -2, message);
}

async function handle(
  state: EmulatorState,
  requests: RecordedRequest[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const rawUrl = req.url ?? "/";
  const q = rawUrl.indexOf("?");
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const query = parseParams(q === -1 ? "" : rawUrl.slice(q + 1));
  const method = (req.method ?? "GET").toUpperCase();
  const read = await readBody(req);
  const body = parseBody(req.headers["content-type"], read.text);
  requests.push({ method, path, query, headers: { ...req.headers }, body, at: state.clock.now() });
  if (res.destroyed) return;
  if (read.tooLarge)
    return sendError(res, path, 413, `request body larger than ${MAX_BODY} bytes`, { Connection: "close" });
  const params = mergeParams(query, body);
  const ctx: RequestContext = { req, res, method, path, query, body, params, state };
  const fault = state.faults.take(routeNames(path, params));
  if (fault && (await applyFault(ctx, fault)) === "handled") return;
  const route = ROUTES.get(path);
  // Unknown path: kapi-style 404 (-404 is the emulator's own code; Kakao's is unconfirmed).
  if (!route) return sendKapiError(res, 404, -404, "Not Found");
  if (!route.methods.includes(method))
    return sendError(res, path, 405, `method ${method} not allowed`, { Allow: route.methods.join(", ") });
  await route.handler(ctx);
}

/** The emulator's HTTP server; never crashes on bad input (handler errors become 500s). */
export function createEmulatorServer(state: EmulatorState, requests: RecordedRequest[]): Server {
  const server = createServer((req, res) => {
    handle(state, requests, req, res).catch((err: unknown) => {
      console.error("[kakao-emulator] internal error:", err);
      if (!res.headersSent && !res.destroyed) sendKapiError(res, 500, -1, "internal emulator error");
      else res.destroy();
    });
  });
  // Keep-alive connections from the app under test would hold the process open after its last
  // test (a listening server unref'd still refs its sockets); a request in flight is held open by
  // its client's socket, so nothing is cut short.
  server.on("connection", (socket) => socket.unref());
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });
  return server;
}
