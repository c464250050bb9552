/**
 * An in-process awsmfa for command tests: lib/run.ts with a temporary home,
 * a recording STS call, code command and child runner, and readers of what
 * the run left in the files and the session cache.
 */

import { join } from "node:path";
import type { ChildSpec } from "../../lib/commands/exec_child.ts";
import type { CodeProcessOptions } from "../../lib/mfa_code/mfa_process.ts";
import type { RunIO } from "../../lib/run.ts";
import type { SessionRequest } from "../../lib/sessions/sts_call.ts";
import { cacheDirectory } from "../../lib/sessions/cache_key.ts";

export const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
export const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
export const SESSION_SECRET = "tEmPoRaRySeCrEtKeY/0123456789abcdefghijk";
export const SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLETOKEN//////////wEaDEXAMPLE==";
export const NOW = new Date("2026-11-29T03:00:00Z");
export const EXPIRES = new Date("2026-11-29T15:00:00Z");

export const CREDENTIALS =
  `# keys\n[work]\naws_access_key_id = AKIAEXAMPLEWORK00001\n` +
  `aws_secret_access_key = ${SECRET}\n`;
export const CONFIG =
  `[profile work]\nregion = eu-west-1\nmfa_serial = ${SERIAL}\n`;

/** A run's IO and what it recorded. */
export interface Harness {
  io: RunIO;
  env: Record<string, string>;
  out: string[];
  err: string[];
  requests: SessionRequest[];
  commands: [string, CodeProcessOptions][];
  children: ChildSpec[];
  prompts: () => number;
}

/** A RunIO for `home` that records what the run does. */
export function harness(home: string, options: {
  codeProcess?: (command: string) => Promise<string>;
  childExit?: number;
  /** Called with each STS request before it is answered. */
  onSession?: (request: SessionRequest) => Promise<void>;
  /** A stdin that fails the run when it is read. */
  stdinRefused?: boolean;
} = {}): Harness {
  const h: Harness = {
    env: { HOME: home },
    out: [],
    err: [],
    requests: [],
    commands: [],
    children: [],
    prompts: () => prompts,
    io: undefined as unknown as RunIO,
  };
  let prompts = 0;
  let issued = 0;
  h.io = {
    env: (name) => h.env[name],
    stdin: new ReadableStream({
      start(controller) {
        if (options.stdinRefused) {
          controller.error(new Error("stdin must not be read"));
          return;
        }
        controller.enqueue(new TextEncoder().encode("246810\n"));
        controller.close();
      },
    }),
    stdinIsTerminal: true,
    writePrompt: (text) => h.err.push(text),
    readPromptLine() {
      prompts++;
      return Promise.resolve("987650");
    },
    stderr: (text) => h.err.push(text),
    stdout: (text) => h.out.push(text),
    now: () => NOW,
    async getSession(request) {
      h.requests.push(request);
      await options.onSession?.(request);
      issued++;
      return {
        accessKeyId: `ASIAEXAMPLESESSION0${issued}`,
        secretAccessKey: SESSION_SECRET,
        sessionToken: SESSION_TOKEN,
        expiration: EXPIRES,
      };
    },
    runCodeProcess(command, processOptions) {
      h.commands.push([command, processOptions]);
      return options.codeProcess?.(command) ?? Promise.resolve("135790");
    },
    runChild(spec) {
      h.children.push(spec);
      return Promise.resolve(options.childExit ?? 0);
    },
    windows: false,
  };
  return h;
}

/** Run `fn` with a temporary home holding `files` in .aws/. */
export async function withHome(
  files: { credentials?: string; config?: string },
  fn: (home: string) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "awsmfa-run5-" });
  try {
    await Deno.mkdir(join(home, ".aws"), { mode: 0o700 });
    if (files.credentials !== undefined) {
      await Deno.writeTextFile(
        join(home, ".aws/credentials"),
        files.credentials,
      );
    }
    if (files.config !== undefined) {
      await Deno.writeTextFile(join(home, ".aws/config"), files.config);
    }
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

/** The credentials and config files under `home` (null: none). */
export async function files(
  home: string,
): Promise<[string | null, string | null]> {
  const read = (name: string) =>
    Deno.readTextFile(join(home, ".aws", name)).catch(() => null);
  return [await read("credentials"), await read("config")];
}

export const BOTH = { credentials: CREDENTIALS, config: CONFIG };

/** The names of the session cache's entries under `home`. */
export async function cacheEntries(home: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(cacheDirectory(home))) {
      if (entry.name.endsWith(".json")) names.push(entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}
