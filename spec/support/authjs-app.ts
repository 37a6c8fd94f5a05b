import type { Provider } from "@auth/core/providers";
import type { Account, Profile, User } from "@auth/core/types";
import { ExpressAuth, getSession, type ExpressAuthConfig } from "@auth/express";
import express5 from "express";
import express4 from "express4";
import { afterAll, beforeAll } from "vitest";
import { SECRET, type ExpressMajor } from "./app.js";
import { listen, type Listening } from "./server.js";

/** What Auth.js handed to the app's callbacks at one sign-in. */
export interface AuthjsCallbackArgs {
  user: User;
  account: Account | null | undefined;
  profile: Profile | undefined;
}

/** What an app running Auth.js itself observed: its callbacks' arguments and Auth.js's logged errors. */
export interface AuthjsProbe {
  /** The `signIn` callback's arguments, one entry per login that got that far. */
  signIns: AuthjsCallbackArgs[];
  /** The `jwt` callback's arguments at sign-in (when `account` is set), one entry per login. */
  jwts: AuthjsCallbackArgs[];
  /** Errors Auth.js logged (its logger is silenced into this list). */
  errors: Error[];
}

export interface AuthjsApp {
  app: express5.Express;
  config: ExpressAuthConfig;
  probe: AuthjsProbe;
}

/** The `ExpressAuthConfig` an app on Auth.js writes, with callbacks and logger that record into a probe. */
export function authjsConfig(
  provider: Provider,
  extra: Partial<ExpressAuthConfig> = {},
): { config: ExpressAuthConfig; probe: AuthjsProbe } {
  const probe: AuthjsProbe = { signIns: [], jwts: [], errors: [] };
  const config: ExpressAuthConfig = {
    providers: [provider],
    secret: SECRET,
    trustHost: true,
    logger: { error: (e) => void probe.errors.push(e), warn: () => undefined, debug: () => undefined },
    callbacks: {
      signIn({ user, account, profile }) {
        probe.signIns.push({ user, account, profile });
        return true;
      },
      jwt({ token, user, account, profile }) {
        if (account) probe.jwts.push({ user, account, profile });
        return token;
      },
    },
    ...extra,
  };
  return { config, probe };
}

/**
 * An Express app that runs Auth.js itself, the way `@auth/express` documents it:
 * `app.use("/auth", ExpressAuth(config))`, plus `GET /session` answering `getSession(req, config)`
 * and `GET /landed` where a successful login ends.
 */
export function buildAuthjsApp(
  provider: Provider,
  { express = 5, config: extra }: { express?: ExpressMajor; config?: Partial<ExpressAuthConfig> } = {},
): AuthjsApp {
  const { config, probe } = authjsConfig(provider, extra);
  const create = (express === 4 ? express4 : express5) as unknown as typeof express5;
  const app = create();
  app.use("/auth", ExpressAuth(config));
  app.get("/session", async (req, res, next) => {
    try {
      res.json(await getSession(req, config));
    } catch (err) {
      next(err);
    }
  });
  app.get("/landed", (_req, res) => res.send("landed"));
  return { app, config, probe };
}

export interface RunningAuthjsApp {
  readonly url: string;
  readonly probe: AuthjsProbe;
}

/**
 * Starts `buildAuthjsApp(provider())` on 127.0.0.1 for the file's (or describe's) specs; the
 * provider is built in `beforeAll`, once the emulator it points at is up.
 */
export function useAuthjsApp(
  provider: () => Provider,
  options: { express?: ExpressMajor; config?: Partial<ExpressAuthConfig> } = {},
): RunningAuthjsApp {
  let running: (Listening & { probe: AuthjsProbe }) | undefined;
  beforeAll(async () => {
    const { app, probe } = buildAuthjsApp(provider(), options);
    running = Object.assign(await listen(app), { probe });
  });
  afterAll(async () => running?.close());
  return {
    get url() {
      if (!running) throw new Error("app not started");
      return running.url;
    },
    get probe() {
      if (!running) throw new Error("app not started");
      return running.probe;
    },
  };
}

/** An error with its `cause` chain, as one line: Auth.js wraps the reason a login failed. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error) {
      parts.push(`${e.name}: ${e.message}`);
      e = e.cause;
    } else if (typeof e === "object" && "err" in e) {
      e = e.err; // Auth.js puts the original error at cause.err
    } else break;
  }
  return parts.join(" <- ");
}
