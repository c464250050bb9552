/** lib/mfa_code/terminal.ts: where the terminal is, and how failing to use it is said. */
import assert from "node:assert/strict";
import {
  describeFailure,
  NoTerminalError,
  terminalPaths,
} from "../../lib/mfa_code/terminal.ts";
import { ExitCode } from "../../lib/shared/errors.ts";

Deno.test("tty: the terminal is /dev/tty, CONIN$ and CONOUT$ on Windows", () => {
  assert.deepEqual(terminalPaths("linux"), {
    input: "/dev/tty",
    output: "/dev/tty",
  });
  assert.deepEqual(terminalPaths("darwin"), {
    input: "/dev/tty",
    output: "/dev/tty",
  });
  assert.deepEqual(terminalPaths("windows"), {
    input: "CONIN$",
    output: "CONOUT$",
  });
});

Deno.test("describeFailure: a clause, lower-cased, without Deno's (os error N)", () => {
  assert.equal(
    describeFailure(new Deno.errors.NotCapable("Requires run access")),
    "permission denied",
  );
  assert.equal(
    describeFailure(new Deno.errors.PermissionDenied("EACCES")),
    "permission denied",
  );
  assert.equal(describeFailure(new Deno.errors.NotFound("x")), "not found");
  assert.equal(
    describeFailure(
      new Error("No such device or address (os error 6): open '/dev/tty'"),
    ),
    "no such device or address",
  );
  assert.equal(describeFailure("Broken Pipe"), "broken pipe");
});

Deno.test("NoTerminalError: a usage error that says the way out, and its reason apart", () => {
  const error = new NoTerminalError("CONIN$", "not found");
  assert.equal(error.exitCode, ExitCode.Usage);
  assert.equal(error.reason, "CONIN$: not found");
  assert.equal(
    error.message,
    "Cannot ask for the MFA code: there is no terminal to ask on (CONIN$: not found), so set mfa_process for the profile or pass the code.",
  );
});
