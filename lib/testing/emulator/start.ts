import type { AddressInfo } from "node:net";
import { createClock, DEFAULT_USER, resolveConfig } from "./config.js";
import type { EmulatorState } from "./context.js";
import { Faults, KNOWN_ROUTES } from "./faults.js";
import { KeyRing } from "./keys.js";
import { sdkLogin } from "./sdk-login.js";
import { createEmulatorServer } from "./server.js";
import { Store } from "./store.js";
import type { KakaoEmulator, KakaoEmulatorOptions, RecordedRequest } from "./types.js";
import { sendUnlinkWebhook } from "./webhook-sender.js";

/**
 * Starts a local Kakao (kauth and kapi on one 127.0.0.1 port), faithful to kakao-api.md §11.
 * Always `await emulator.close()` when done.
 */
export async function startKakaoEmulator(options: KakaoEmulatorOptions = {}): Promise<KakaoEmulator> {
  const config = resolveConfig(options);
  const clock = createClock(options.now);
  const store = new Store(config, clock);
  for (const u of options.users ?? [DEFAULT_USER]) store.addUser(u);
  const state: EmulatorState = {
    config,
    url: "",
    clock,
    store,
    keys: await KeyRing.create(),
    faults: new Faults(),
    currentUserId: undefined,
    nextAuthorize: [],
    idTokenOverride: null,
    pending: new Map(),
  };
  const requests: RecordedRequest[] = [];
  const server = createEmulatorServer(state, requests);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: config.port, host: "127.0.0.1" }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // A test that fails before close() must not leave the runner waiting on the emulator.
  server.unref();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.url = url;
  let closing: Promise<void> | undefined;

  return {
    url,
    options: {
      clientId: config.clientId,
      ...(config.clientSecret === null ? {} : { clientSecret: config.clientSecret }),
      authOrigin: url,
      apiOrigin: url,
    },
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    adminKey: config.adminKey,
    appId: config.appId,
    appKeys: { rest: config.clientId, javascript: config.javascriptKey, native: config.nativeAppKey },
    otherApp: { ...config.otherApp },
    users: store.users,
    addUser: (user) => store.addUser(user),
    setCurrentUser(idOrUser) {
      state.currentUserId = store.resolveUser(idOrUser, "setCurrentUser").id;
    },
    nextAuthorize(outcome) {
      state.nextAuthorize.push(outcome);
    },
    fail(route, fault) {
      if (!route.startsWith("/") && !KNOWN_ROUTES.includes(route)) {
        throw new TypeError(`fail(): unknown route "${route}"; use a path or one of ${KNOWN_ROUTES.join(", ")}`);
      }
      state.faults.add(route, fault);
    },
    clearFaults: () => state.faults.clear(),
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    clock,
    rotateSigningKey: (opts) => state.keys.rotate(opts?.dropOld ?? false),
    signIdToken: (claims, opts) => state.keys.sign(claims, opts),
    setIdTokenOverride(fn, opts) {
      state.idTokenOverride =
        fn === null && opts === undefined ? null : { fn, opts: opts ?? {}, remaining: opts?.times ?? 1 };
    },
    sendUnlinkWebhook: (target, p) => sendUnlinkWebhook(state, target, p),
    sdkLogin: (userIdOrUser, opts) => sdkLogin(state, userIdOrUser, opts),
    tokensOf: (userId) => store.tokensOf(userId),
    close() {
      closing ??= new Promise<void>((resolve) => {
        state.faults.cancelAll();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
