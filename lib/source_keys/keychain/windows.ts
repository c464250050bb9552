/**
 * The Windows Credential Manager through PowerShell and the Win32
 * `CredWriteW`/`CredReadW`/`CredDeleteW`/`CredEnumerateW` API (`Add-Type`
 * with P/Invoke; `cmdkey` cannot read a secret back): generic credentials
 * with the target name `awsmfa:NAME`, the secret as UTF-8 bytes.
 *
 * The script goes in `-EncodedCommand` and holds no secret; the secret goes
 * to the script on stdin and comes back on stdout.
 *
 * (Not runnable on the Linux machines this project is tested on; the CI
 * matrix's Windows runner runs the keychain round trip of tests/commands/keys_test.ts against it.)
 *
 * @module
 */

import {
  defaultToolRunner,
  type Keychain,
  KEYCHAIN_SERVICE,
  KeychainError,
  runTool,
  STORED_PROFILE,
  type ToolRunner,
} from "./keychain.ts";

const LABEL = "the Windows Credential Manager (PowerShell)";

/** The script's exit status when there is no such credential. */
const NOT_FOUND = 3;

const API = `
$ErrorActionPreference = 'Stop'
Add-Type -TypeDefinition @'
using System;
using System.Runtime.InteropServices;
using System.Text;
public static class AwsmfaCred {
  [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
  public struct CREDENTIAL {
    public int Flags; public int Type; public string TargetName; public string Comment;
    public System.Runtime.InteropServices.ComTypes.FILETIME LastWritten;
    public int CredentialBlobSize; public IntPtr CredentialBlob; public int Persist;
    public int AttributeCount; public IntPtr Attributes; public string TargetAlias; public string UserName;
  }
  [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
  static extern bool CredWriteW(ref CREDENTIAL credential, int flags);
  [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
  static extern bool CredReadW(string target, int type, int flags, out IntPtr credential);
  [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
  static extern bool CredDeleteW(string target, int type, int flags);
  [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
  static extern bool CredEnumerateW(string filter, int flags, out int count, out IntPtr credentials);
  [DllImport("advapi32.dll")]
  static extern void CredFree(IntPtr buffer);
  const int GENERIC = 1, LOCAL_MACHINE = 2, NOT_FOUND = 1168;
  public static void Write(string target, string secret) {
    byte[] blob = Encoding.UTF8.GetBytes(secret);
    CREDENTIAL c = new CREDENTIAL();
    c.Type = GENERIC; c.TargetName = target; c.UserName = "awsmfa"; c.Persist = LOCAL_MACHINE;
    c.CredentialBlobSize = blob.Length; c.CredentialBlob = Marshal.AllocHGlobal(blob.Length);
    try {
      Marshal.Copy(blob, 0, c.CredentialBlob, blob.Length);
      if (!CredWriteW(ref c, 0)) throw new System.ComponentModel.Win32Exception(Marshal.GetLastWin32Error());
    } finally { Marshal.FreeHGlobal(c.CredentialBlob); }
  }
  public static string Read(string target) {
    IntPtr p;
    if (!CredReadW(target, GENERIC, 0, out p)) {
      int e = Marshal.GetLastWin32Error();
      if (e == NOT_FOUND) return null;
      throw new System.ComponentModel.Win32Exception(e);
    }
    try {
      CREDENTIAL c = (CREDENTIAL)Marshal.PtrToStructure(p, typeof(CREDENTIAL));
      byte[] b = new byte[c.CredentialBlobSize];
      Marshal.Copy(c.CredentialBlob, b, 0, b.Length);
      return Encoding.UTF8.GetString(b);
    } finally { CredFree(p); }
  }
  public static bool Delete(string target) {
    if (CredDeleteW(target, GENERIC, 0)) return true;
    int e = Marshal.GetLastWin32Error();
    if (e == NOT_FOUND) return false;
    throw new System.ComponentModel.Win32Exception(e);
  }
  public static string[] List(string filter) {
    int n; IntPtr p;
    if (!CredEnumerateW(filter, 0, out n, out p)) {
      int e = Marshal.GetLastWin32Error();
      if (e == NOT_FOUND) return new string[0];
      throw new System.ComponentModel.Win32Exception(e);
    }
    try {
      string[] r = new string[n];
      for (int i = 0; i < n; i++) {
        IntPtr q = Marshal.ReadIntPtr(p, i * IntPtr.Size);
        r[i] = ((CREDENTIAL)Marshal.PtrToStructure(q, typeof(CREDENTIAL))).TargetName;
      }
      return r;
    } finally { CredFree(p); }
  }
}
'@
`;

/** The PowerShell script of one operation; `target` is a checked profile's target name. */
function windowsScript(
  operation: "write" | "read" | "remove" | "list" | "probe",
  target: string,
): string {
  const body = {
    probe: "exit 0",
    write:
      `[AwsmfaCred]::Write('${target}', [Console]::In.ReadToEnd()); exit 0`,
    read:
      `$s = [AwsmfaCred]::Read('${target}'); if ($null -eq $s) { exit ${NOT_FOUND} }; [Console]::Out.Write($s); exit 0`,
    remove:
      `if ([AwsmfaCred]::Delete('${target}')) { exit 0 } else { exit ${NOT_FOUND} }`,
    list:
      `foreach ($t in [AwsmfaCred]::List('${KEYCHAIN_SERVICE}:*')) { [Console]::Out.WriteLine($t) }; exit 0`,
  }[operation];
  return `${API}\n${body}\n`;
}

/** `-EncodedCommand`'s form: base64 of UTF-16LE. */
function encodeCommand(script: string): string {
  const bytes = new Uint8Array(script.length * 2);
  for (let i = 0; i < script.length; i++) {
    const unit = script.charCodeAt(i);
    bytes[2 * i] = unit & 0xff;
    bytes[2 * i + 1] = unit >> 8;
  }
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The Windows back-end, running `program` (default `powershell.exe`). */
export function windowsKeychain(
  runner: ToolRunner = defaultToolRunner,
  program = "powershell.exe",
): Keychain {
  const target = (profile: string) => {
    if (!STORED_PROFILE.test(profile) || profile.includes("'")) {
      throw new KeychainError(`Cannot store profile "${profile}".`);
    }
    return `${KEYCHAIN_SERVICE}:${profile}`;
  };
  async function call(
    operation: Parameters<typeof windowsScript>[0],
    profile: string,
    stdin?: string,
  ) {
    return await runTool(runner, LABEL, {
      program,
      args: [
        "-NoProfile",
        "-NonInteractive",
        "-ExecutionPolicy",
        "Bypass",
        "-EncodedCommand",
        encodeCommand(windowsScript(operation, target(profile))),
      ],
      ...(stdin !== undefined ? { stdin } : {}),
      stderr: "piped",
    });
  }
  return {
    name: "windows",
    label: LABEL,
    async available() {
      try {
        return (await call("probe", "probe")).code === 0;
      } catch {
        return false;
      }
    },
    async write(profile, secret) {
      const out = await call("write", profile, secret);
      if (out.code !== 0) {
        throw new KeychainError(
          `${LABEL} did not store the keys of profile "${profile}" (exit status ${out.code}).`,
        );
      }
    },
    async read(profile) {
      const out = await call("read", profile);
      if (out.code === 0) return out.stdout;
      if (out.code === NOT_FOUND) return undefined;
      throw new KeychainError(
        `${LABEL} could not read the keys of profile "${profile}" (exit status ${out.code}).`,
      );
    },
    async remove(profile) {
      const out = await call("remove", profile);
      if (out.code === 0) return true;
      if (out.code === NOT_FOUND) return false;
      throw new KeychainError(
        `${LABEL} did not delete the keys of profile "${profile}" (exit status ${out.code}).`,
      );
    },
    async list() {
      const out = await call("list", "probe");
      if (out.code !== 0) {
        throw new KeychainError(
          `${LABEL} could not be listed (exit status ${out.code}).`,
        );
      }
      const prefix = `${KEYCHAIN_SERVICE}:`;
      return out.stdout.split(/\r?\n/).filter((line) => line.startsWith(prefix))
        .map((line) => line.slice(prefix.length)).filter((name) =>
          STORED_PROFILE.test(name)
        ).sort();
    },
  };
}
