// A second chat98 server of the same build with a database of its own, for
// tests that need settings of their own (a short retention) or a room no
// other test writes into (counting a long history), or history written
// while no server runs (old timestamps: `halt`, change the file, `start`
// again on the same `dataDir`).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./console";

export class OwnServer {
  private constructor(
    private process: ChildProcess,
    private dataDir: string,
    readonly baseURL: string,
    private env: Record<string, string>,
  ) {}

  /** Starts a server on a fresh data folder, or on `dataDir` if given. */
  static async start(env: Record<string, string> = {}, dataDir?: string): Promise<OwnServer> {
    dataDir ??= mkdtempSync(join(tmpdir(), "chat98-e2e-"));
    const serverEnv = {
      DATABASE_URL: "",
      CHAT_DATA_DIR: dataDir,
      LEPTOS_SITE_ROOT: "target/site",
      ...env,
    };
    // From the project folder, as deployed: it reads Leptos.toml there
    // (hashed bundle names, with hash.txt beside the binary).
    const child = spawn("target/release/chat98", ["serve", "--site-addr", "127.0.0.1:0"], {
      cwd: "..",
      env: { ...process.env, ...serverEnv },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const baseURL = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("own server did not start")), 20_000);
      let log = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        log += chunk.toString();
        const found = /listening on (http:\/\/[0-9.:]+)/.exec(log);
        if (found) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      });
    });
    return new OwnServer(child, dataDir, baseURL, serverEnv);
  }

  /** The data folder, which `halt` leaves in place. */
  get dataFolder(): string {
    return this.dataDir;
  }

  /** The embedded SQLite database of this server. */
  get databaseFile(): string {
    return join(this.dataDir, "chat98.db");
  }

  /** Stops the server and waits until it has exited; its data stays. */
  async halt(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once("exit", resolve));
    this.process.kill("SIGTERM");
    await exited;
  }

  /**
   * Runs `chat98 <args>` (the same binary) against this server's database,
   * as an operator would on the server's machine; resolves with its output.
   */
  run(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        "target/release/chat98",
        args,
        { cwd: "..", env: { ...process.env, ...this.env }, timeout: 20_000 },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`chat98 ${args.join(" ")} failed: ${error.message}\n${stderr}`));
          else resolve(stdout);
        },
      );
    });
  }

  /** Makes `username` a moderator (`chat98 users grant-moderator NAME`). */
  async grantModerator(username: string) {
    await this.run(["users", "grant-moderator", username]);
  }

  stop() {
    this.process.kill("SIGTERM");
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * A server of its own for the tests of the enclosing describe block (or
 * file): started before them, once in each worker that runs them, and
 * stopped after them.
 */
export function useOwnServer(
  env: Record<string, string> = {},
): Pick<OwnServer, "baseURL" | "grantModerator"> {
  let server: OwnServer | undefined;
  test.beforeAll(async () => {
    server = await OwnServer.start(env);
  });
  test.afterAll(() => server?.stop());
  const started = () => {
    if (!server) throw new Error("the own server has not started");
    return server;
  };
  return {
    get baseURL() {
      return started().baseURL;
    },
    grantModerator: (username: string) => started().grantModerator(username),
  };
}
