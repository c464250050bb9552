/**
 * An in-process awsmfa for scenario tests: lib/run.ts with a temporary home,
 * a settable clock, a scripted prompt, and STS calls that mint sessions and
 * record each request, so a test can follow a user through several days.
 *
 * @module
 */

import { join } from "node:path";
import type { ChildSpec } from "../../lib/commands/exec_child.ts";
import { run, type RunIO } from "../../lib/run.ts";
import type { SessionRequest } from "../../lib/sessions/sts_call.ts";

/** A serial used throughout the scenarios. */
export const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
/** The long-term secret of `work` (must never be printed). */
export const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
/** The first day's clock. */
export const DAY_ONE = new Date("2026-11-29T03:00:00Z");

/** The credentials file of a user with one profile, `work`. */
export const WORK_CREDENTIALS =
  `[work]\naws_access_key_id = AKIAEXAMPLEWORK00001\naws_secret_access_key = ${SECRET}\n`;

/** What one run produced. */
export interface Outcome {
  /** Exit code. */
  code: number;
  /** stdout. */
  out: string;
  /** stderr (prompts included). */
  err: string;
}

/** A user's machine: home, clock, what STS and the prompt saw. */
export interface Machine {
  /** The temporary home. */
  home: string;
  /** The environment each run sees (HOME set). */
  env: Record<string, string>;
  /** The clock; set it to move days. */
  now: Date;
  /** Every GetSessionToken request, in order. */
  requests: SessionRequest[];
  /** The role ARN of every AssumeRole request, in order. */
  roles: string[];
  /** The serials the prompt asked for. */
  prompted: string[];
  /** The commands `exec` ran. */
  children: ChildSpec[];
  /** Answers of the prompt, in order (default: a valid code). */
  answers: (string | null | Error)[];
  /** Whether stdin is a terminal. */
  terminal: boolean;
  /** Run awsmfa with `args`. */
  run(args: string[], stdin?: string): Promise<Outcome>;
  /** The text of `~/.aws/NAME`, or null. */
  read(name: string): Promise<string | null>;
}

/** Make a home with `files` under `.aws` (none when `files` is null), run `fn`, clean up. */
export async function onMachine(
  files: Record<string, string> | null,
  fn: (machine: Machine) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "awsmfa-day2-" });
  try {
    if (files !== null) {
      await Deno.mkdir(join(home, ".aws"), { mode: 0o700 });
      for (const [name, text] of Object.entries(files)) {
        await Deno.writeTextFile(join(home, ".aws", name), text, {
          mode: 0o600,
        });
      }
    }
    let issued = 0;
    const machine: Machine = {
      home,
      env: { HOME: home },
      now: DAY_ONE,
      requests: [],
      roles: [],
      prompted: [],
      children: [],
      answers: [],
      terminal: true,
      read: (name) =>
        Deno.readTextFile(join(home, ".aws", name)).catch(() => null),
      async run(args, stdin = "") {
        const out: string[] = [];
        const err: string[] = [];
        let serialAsked = "";
        const io: RunIO = {
          env: (name) => machine.env[name],
          stdin: new ReadableStream({
            start(controller) {
              if (stdin !== "") {
                controller.enqueue(new TextEncoder().encode(stdin));
              }
              controller.close();
            },
          }),
          stdinIsTerminal: machine.terminal,
          writePrompt(text) {
            const asked = /^MFA code for (.*): $/.exec(text);
            if (asked) serialAsked = asked[1];
            err.push(text);
          },
          readPromptLine() {
            machine.prompted.push(serialAsked);
            const answer = machine.answers.length > 0
              ? machine.answers.shift()!
              : "123456";
            return answer instanceof Error
              ? Promise.reject(answer)
              : Promise.resolve(answer);
          },
          promptOnTerminal(serial) {
            machine.prompted.push(serial);
            const answer = machine.answers.length > 0
              ? machine.answers.shift()!
              : "123456";
            return answer instanceof Error
              ? Promise.reject(answer)
              : answer === null
              ? Promise.reject(new Error("no answer scripted"))
              : Promise.resolve(answer);
          },
          stderr: (text) => err.push(text),
          stdout: (text) => out.push(text),
          now: () => machine.now,
          getSession(request) {
            machine.requests.push(request);
            issued++;
            return Promise.resolve({
              accessKeyId: `ASIAEXAMPLESESSION${
                String(issued).padStart(2, "0")
              }`,
              secretAccessKey: "tEmPoRaRySeCrEt/0123456789abcdefghijkl",
              sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN//////////wEaDEXAMPLE==",
              expiration: new Date(
                machine.now.getTime() +
                  (request.durationSeconds ?? 43200) * 1000,
              ),
            });
          },
          assumeRole(request) {
            machine.roles.push(request.roleArn);
            issued++;
            return Promise.resolve({
              accessKeyId: `ASIAEXAMPLEROLESESS${
                String(issued).padStart(2, "0")
              }`,
              secretAccessKey: "rOlEsEcReT/0123456789abcdefghijklmnop",
              sessionToken: "FwoGZXIvYXdzROLETOKEN//////////wEaDEXAMPLE==",
              expiration: new Date(
                machine.now.getTime() +
                  (request.durationSeconds ?? 3600) * 1000,
              ),
            });
          },
          runChild(spec) {
            machine.children.push(spec);
            return Promise.resolve(0);
          },
          windows: false,
        };
        const code = await run(args, io);
        return { code, out: out.join(""), err: err.join("") };
      },
    };
    await fn(machine);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

/** One day later than `date`. */
export function nextDay(date: Date): Date {
  return new Date(date.getTime() + 24 * 3600 * 1000);
}
