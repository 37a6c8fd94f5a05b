import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";

/** Debian installs each major under its own prefix and puts only wrappers on PATH (pg_wrapper). */
const DEBIAN_PREFIX = "/usr/lib/postgresql";
const TOOLS = ["initdb", "postgres"] as const;

/** The newest `/usr/lib/postgresql/<major>/bin` holding initdb and postgres, if any. */
export function postgresBinDir(): string | undefined {
  if (!existsSync(DEBIAN_PREFIX)) return undefined;
  const majors = readdirSync(DEBIAN_PREFIX)
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const bin = join(DEBIAN_PREFIX, major, "bin");
    if (TOOLS.every((tool) => existsSync(join(bin, tool)))) return bin;
  }
  return undefined;
}

/** Whether Debian's PostgreSQL server is on this machine; under CI=true its absence is a failure, not a skip. */
export function postgresAvailable(): boolean {
  const found = postgresBinDir() !== undefined;
  if (!found && process.env.CI === "true")
    throw new Error("PostgreSQL is missing in CI: .ci/run must `apt-get install -y postgresql`");
  if (!found) console.warn("Skipping PostgreSQL specs: postgresql is not installed (apt-get install -y postgresql).");
  return found;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** A system account's uid and gid, or undefined when it does not exist. */
function accountIds(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync("id", ["-u", name], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * Who runs initdb and postgres: both refuse to run as root ("must be run as the PostgreSQL
 * superuser's own account"), so as root they run as Debian's `postgres` account (made by the
 * postgresql package), else as a throwaway system account made here. Node's `spawn({ uid, gid })`
 * switches user and drops root's supplementary groups (like `runuser -u`), and keeps the server's
 * own pid in hand for signals, which a `runuser` wrapper would sit in front of.
 */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = accountIds("postgres") ?? accountIds("eka-postgres");
  if (existing) return existing;
  const made = spawnSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "eka-postgres"], {
    encoding: "utf8",
  });
  const ids = accountIds("eka-postgres");
  if (!ids) throw new Error(`could not create a system account for PostgreSQL: ${made.stderr.trim()}`);
  return ids;
}

export interface PostgresServerOptions {
  /** The database created for the specs (default `eka_spec`). */
  database?: string;
  /** Milliseconds to wait for the server to accept connections (default 20 s). */
  startTimeout?: number;
}

/**
 * A real PostgreSQL server for specs: a fresh cluster from initdb in a temp dir, on a free
 * 127.0.0.1 port, its socket in the same dir, trust auth for loopback only, `fsync=off` (nothing
 * here needs to survive a crash), and one database created for the specs.
 */
export class PostgresServer {
  readonly dir = mkdtempSync(join(tmpdir(), "eka-pg-"));
  readonly database: string;
  port = 0;
  readonly #startTimeout: number;
  readonly #pools: pg.Pool[] = [];
  #proc: ChildProcess | undefined;
  readonly #killOnExit = (): void => void this.#proc?.kill("SIGQUIT");

  constructor({ database = "eka_spec", startTimeout = 20_000 }: PostgresServerOptions = {}) {
    this.database = database;
    this.#startTimeout = startTimeout;
  }

  get dataDir(): string {
    return join(this.dir, "data");
  }

  /** `postgres://postgres@127.0.0.1:<port>/<database>` (trust auth: no password). */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${this.database}`;
  }

  async start(): Promise<void> {
    const bin = postgresBinDir();
    if (!bin) throw new Error(`no PostgreSQL under ${DEBIAN_PREFIX}/*/bin: apt-get install -y postgresql`);
    const account = serverAccount();
    if (account) chownSync(this.dir, account.uid, account.gid);
    const as: SpawnOptions = { cwd: this.dir, ...account };

    if (!existsSync(this.dataDir)) {
      const init = spawnSync(
        join(bin, "initdb"),
        ["-D", this.dataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions"],
        { ...as, encoding: "utf8", timeout: 60_000 },
      );
      if (init.status !== 0)
        throw new Error(`initdb failed (${init.status ?? init.signal}): ${init.stderr || init.error?.message}`);
      // Loopback only, no password: a throwaway cluster reachable from this machine alone.
      writeFileSync(join(this.dataDir, "pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 trust\n");
    }

    if (!this.port) this.port = await freePort();
    const stderr: string[] = [];
    const proc = spawn(
      join(bin, "postgres"),
      [
        "-D",
        this.dataDir,
        "-p",
        String(this.port),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        `unix_socket_directories=${this.dir}`,
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
      ],
      { ...as, stdio: ["ignore", "ignore", "pipe"] },
    );
    proc.stderr?.on("data", (chunk: Buffer) => {
      if (stderr.length < 200) stderr.push(chunk.toString());
    });
    this.#proc = proc;
    process.once("exit", this.#killOnExit);

    const deadline = Date.now() + this.#startTimeout;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`postgres exited (${proc.exitCode ?? proc.signalCode}) while starting:\n${stderr.join("")}`);
      }
      const probe = new pg.Client({ ...this.#admin(), connectionTimeoutMillis: 1000 });
      probe.on("error", () => undefined);
      try {
        await probe.connect();
        const exists = await probe.query("SELECT 1 FROM pg_database WHERE datname = $1", [this.database]);
        if (exists.rowCount === 0) await probe.query(`CREATE DATABASE ${pg.escapeIdentifier(this.database)}`);
        await probe.end();
        return;
      } catch (err) {
        await probe.end().catch(() => undefined);
        if (Date.now() > deadline) {
          await this.stop();
          throw new Error(
            `postgres did not accept connections within ${this.#startTimeout} ms (${(err as Error).message}):\n${stderr.join("")}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Connection settings for the maintenance database `postgres`. */
  #admin(): pg.ClientConfig {
    return { host: "127.0.0.1", port: this.port, user: "postgres", database: "postgres" };
  }

  /** A pool on the spec database; ended by `stop()`. */
  pool(config: pg.PoolConfig = {}): pg.Pool {
    const pool = new pg.Pool({ connectionString: this.url, max: 10, connectionTimeoutMillis: 5000, ...config });
    pool.on("error", () => undefined); // an idle client cut off by stop() must not crash the run
    this.#pools.push(pool);
    return pool;
  }

  /**
   * Ends the pools, then shuts down: smart (SIGTERM: waits for sessions still closing, e.g. a
   * pool whose `end()` resolved before its sockets closed), fast after 2 s (SIGINT: terminates
   * sessions left open), SIGKILL after 10 s.
   */
  async stop(): Promise<void> {
    await Promise.all(this.#pools.splice(0).map((p) => p.end().catch(() => undefined)));
    const proc = this.#proc;
    this.#proc = undefined;
    process.removeListener("exit", this.#killOnExit);
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill("SIGTERM");
    const fast = setTimeout(() => proc.kill("SIGINT"), 2_000);
    const kill = setTimeout(() => proc.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(fast);
    clearTimeout(kill);
  }

  /** Stops the server and removes its directory. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts one PostgreSQL server for the file's specs (and removes it afterwards); `get()` returns it inside tests. */
export function usePostgres(options?: PostgresServerOptions): { get(): PostgresServer } {
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = new PostgresServer(options);
    try {
      await server.start();
    } catch (err) {
      await server.destroy();
      throw err;
    }
  });
  afterAll(async () => {
    await server?.destroy();
  });
  return {
    get() {
      if (!server) throw new Error("PostgreSQL not started");
      return server;
    },
  };
}
