import type { IncomingMessage, ServerResponse } from "node:http";
import type { EmulatorConfig } from "./config.js";
import type { Faults } from "./faults.js";
import type { Params } from "./http.js";
import type { KeyRing } from "./keys.js";
import type { Store } from "./store.js";
import type { AuthorizeOutcome, EmulatorClock, IdTokenOverrideOptions } from "./types.js";

/** A validated authorize request waiting for the user's decision on the interactive page. */
export interface PendingAuthorize {
  redirectUri: string;
  state: string | undefined;
  scopes: string[];
  nonce: string | undefined;
  codeChallenge: string | undefined;
  prompt: string[];
  expiresAt: number;
}

export interface IdTokenOverride {
  fn: ((claims: Record<string, unknown>) => Record<string, unknown>) | null;
  opts: IdTokenOverrideOptions;
  remaining: number;
}

/** Everything the route handlers share. */
export interface EmulatorState {
  config: EmulatorConfig;
  /** `http://127.0.0.1:PORT`, known once listening. */
  url: string;
  clock: EmulatorClock;
  store: Store;
  keys: KeyRing;
  faults: Faults;
  currentUserId: string | undefined;
  nextAuthorize: AuthorizeOutcome[];
  idTokenOverride: IdTokenOverride | null;
  pending: Map<string, PendingAuthorize>;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: Params;
  body: Params | string;
  /** Query overlaid with form body fields. */
  params: Params;
  state: EmulatorState;
}

export type Handler = (ctx: RequestContext) => void | Promise<void>;
