import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { findRuntime } from "../middleware-state.js";
import type { EmulatorUser, KakaoEmulator } from "./emulator/index.js";
import { emulatorFor } from "./registry.js";

type AppLike = (req: never, res: never) => void;

function cookiePairs(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(";")[0]!);
}

/** Applies Set-Cookie pairs as a browser would: an empty value deletes. */
function mergeJar(jar: Map<string, string>, pairs: string[]): void {
  for (const p of pairs) {
    const i = p.indexOf("=");
    const name = p.slice(0, i);
    const value = p.slice(i + 1);
    if (value === "") jar.delete(name);
    else jar.set(name, value);
  }
}

/** Auth.js's per-login transaction cookies: useless once signed in. */
const TRANSACTION = /authjs\.(state|pkce\.code_verifier|nonce|callback-url|csrf-token)/;

const jarHeader = (jar: Map<string, string>): string => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

async function listen(app: AppLike): Promise<Server> {
  const server = createServer(app as never);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/**
 * Signs `user` in to `app` through its real login routes and the Kakao emulator it is configured
 * with (no browser), and returns the `Cookie` header value for supertest:
 * `request(app).get("/me").set("Cookie", await signInAs(app, { id: "42" }))`.
 */
export async function signInAs(
  app: AppLike,
  user: string | (Partial<EmulatorUser> & { id: string }),
  options: { emulator?: KakaoEmulator; returnTo?: string } = {},
): Promise<string> {
  const runtime = findRuntime(app);
  if (!runtime) throw new Error("signInAs(app): no kakaoAuth() router is mounted in this app.");
  const emulator = options.emulator ?? emulatorFor(runtime.config.authOrigin);
  if (!emulator)
    throw new Error(
      `signInAs(app): kakaoAuth() talks to ${runtime.config.authOrigin}, which is not an emulator started in this process. Pass emulator.options to kakaoAuth().`,
    );
  const id = typeof user === "string" ? user : user.id;
  const existing = emulator.users.get(id);
  emulator.addUser({ ...(existing ?? {}), ...(typeof user === "string" ? { id } : user) });

  const server = await listen(app);
  try {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const jar = new Map<string, string>();
    const q = new URLSearchParams({ login_hint: id, returnTo: options.returnTo ?? "/" });
    const start = await fetch(`${origin}${runtime.config.basePath}/signin/kakao?${q}`, { redirect: "manual" });
    mergeJar(jar, cookiePairs(start));
    const authorize = start.headers.get("location");
    if (start.status !== 302 || !authorize) throw new Error(`signInAs: sign-in answered ${start.status}`);
    const consent = await fetch(authorize, { redirect: "manual" });
    const callback = consent.headers.get("location");
    if (consent.status !== 302 || !callback)
      throw new Error(`signInAs: the emulator answered ${consent.status} at authorize`);
    const done = await fetch(callback, { redirect: "manual", headers: { cookie: jarHeader(jar) } });
    mergeJar(jar, cookiePairs(done));
    const landed = done.headers.get("location") ?? "";
    if (done.status !== 302 || landed.includes(`${runtime.config.basePath}/error`))
      throw new Error(`signInAs: the callback failed (${done.status} → ${landed})`);
    // Only the session cookie matters afterwards; transaction cookies were cleared by the callback.
    for (const name of [...jar.keys()]) if (TRANSACTION.test(name)) jar.delete(name);
    return jarHeader(jar);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
