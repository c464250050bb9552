/**
 * `deno task demo`: the whole job for real, with no AWS account. Starts the
 * local STS double, makes a temporary home with a source profile, runs the CLI
 * with the binary's permissions and a real TOTP code, and shows the files
 * before and after (secret values shortened).
 *
 * @module
 */

import { cliArgs, runCli } from "./cli.ts";
import { startStsDouble } from "./sts_double.ts";
import { findTool } from "./tools.ts";

function mask(text: string): string {
  return text.replace(
    /^(\s*(?:aws_secret_access_key|aws_session_token)\s*=\s*)(\S{4})\S*/gm,
    "$1$2…",
  );
}

function show(title: string, text: string | null): void {
  console.log(`\n--- ${title}`);
  console.log(text === null ? "(no file)" : mask(text).trimEnd());
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}

async function demo(): Promise<number> {
  const sts = await startStsDouble({ quiet: true });
  const home = await Deno.makeTempDir({ prefix: "awsmfa-demo-" });
  try {
    const user = sts.addUser({ userName: "alice" });
    await Deno.mkdir(`${home}/.aws`, { mode: 0o700 });
    const credentials = `${home}/.aws/credentials`;
    const config = `${home}/.aws/config`;
    await Deno.writeTextFile(
      credentials,
      `# long-term keys of the demo user\n[work]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`,
      { mode: 0o600 },
    );
    await Deno.writeTextFile(
      config,
      `[profile work]\nregion = eu-west-1\nmfa_serial = ${user.serial}\n`,
    );
    const env = { HOME: home, AWS_ENDPOINT_URL_STS: sts.url };
    console.log(`STS double listening on ${sts.url} (SigV4 and TOTP checked)`);
    console.log(`temporary HOME: ${home}`);
    show("~/.aws/credentials before", await readOrNull(credentials));
    show("~/.aws/config before", await readOrNull(config));

    const code = sts.currentCode(user);
    console.log(
      `\n$ awsmfa --profile work ${code}    # deno ${cliArgs().join(" ")}`,
    );
    const first = await runCli(["--profile", "work", code], { env });
    Deno.stderr.writeSync(new TextEncoder().encode(first.stderr));
    if (first.code !== 0) return first.code;

    show("~/.aws/credentials after", await readOrNull(credentials));
    show("~/.aws/config after", await readOrNull(config));

    console.log("\n$ awsmfa --profile work    # again: still valid, no code");
    const second = await runCli(["--profile", "work"], { env });
    Deno.stderr.writeSync(new TextEncoder().encode(second.stderr));

    // A role whose trust policy requires MFA: assumed with the cached MFA
    // session, so no second code.
    const role = sts.addRole({ roleName: "admin", requireMfa: true });
    console.log(
      `\n$ awsmfa --profile work --role-arn ${role.arn} --mfa-profile-name admin    # no code: chained from the cached session`,
    );
    const third = await runCli([
      "--profile",
      "work",
      "--role-arn",
      role.arn,
      "--mfa-profile-name",
      "admin",
    ], { env });
    Deno.stderr.writeSync(new TextEncoder().encode(third.stderr));
    if (third.code !== 0) return third.code;

    const aws = await findTool("aws");
    if (!aws.ok) {
      console.log(`\n(The AWS CLI v2 part is left out: ${aws.problem}.)`);
    } else {
      for (const profile of ["mfa", "admin"]) {
        console.log(
          `\n$ aws sts get-caller-identity --profile ${profile} --endpoint-url ${sts.url}`,
        );
        const out = await new Deno.Command(aws.path, {
          args: [
            "sts",
            "get-caller-identity",
            "--profile",
            profile,
            "--endpoint-url",
            sts.url,
          ],
          clearEnv: true,
          env: { HOME: home, PATH: "/usr/bin:/bin", AWS_PAGER: "" },
        }).output();
        await Deno.stdout.write(out.stdout);
        await Deno.stderr.write(out.stderr);
      }
    }
    console.log(
      `\nSTS requests: ${
        sts.requests.map((r) => `${r.action} ${r.status}`).join(", ")
      }`,
    );
    return second.code;
  } finally {
    await sts.close();
    await Deno.remove(home, { recursive: true });
  }
}

if (import.meta.main) Deno.exit(await demo());
