/**
 * The four path operations awsmfa needs (`dirname`, `basename`, `join`,
 * `resolve`), with the results of `node:path` for the paths it meets.
 *
 * Importing any `node:` module starts Deno's Node compatibility layer, about
 * 15 ms on every run; the paths that must stay near the runtime's start-up
 * floor (`--version`, skip while valid) cannot afford that, and `@std/path`
 * cannot be fetched here. Both separators are understood on Windows, as are
 * drive letters (`C:\`, `C:`) and UNC roots (`\\server\share\`).
 *
 * @module
 */

/** Path operations for one platform's syntax. */
export interface PathOps {
  /** The directory part, as `node:path` `dirname`. */
  dirname(path: string): string;
  /** The last part, as `node:path` `basename` (no extension argument). */
  basename(path: string): string;
  /** The parts joined and normalized, as `node:path` `join`. */
  join(...parts: string[]): string;
  /** An absolute normalized path, as `node:path` `resolve`. */
  resolve(...paths: string[]): string;
}

interface Split {
  /** `""`, `/`; on Windows also `\`, `C:`, `C:\`, `\\server\share\`. */
  root: string;
  /** The rest, after the root. */
  rest: string;
}

const UNC_ROOT = /^[\\/]{2}([^\\/]+)[\\/]+([^\\/]+)(?:[\\/]|$)/;
const DRIVE_ROOT = /^[A-Za-z]:[\\/]?/;

function makeOps(windows: boolean, cwd: () => string): PathOps {
  const sep = windows ? "\\" : "/";
  const isSep = (char: string | undefined) =>
    char === "/" || (windows && char === "\\");

  function split(path: string): Split {
    if (!windows) {
      return path.startsWith("/")
        ? { root: "/", rest: path.slice(1) }
        : { root: "", rest: path };
    }
    const unc = UNC_ROOT.exec(path);
    if (unc) {
      return {
        root: `\\\\${unc[1]}\\${unc[2]}\\`,
        rest: path.slice(unc[0].length),
      };
    }
    const drive = DRIVE_ROOT.exec(path);
    if (drive) {
      const root = drive[0].length === 3
        ? `${drive[0].slice(0, 2)}\\`
        : drive[0];
      return { root, rest: path.slice(drive[0].length) };
    }
    return isSep(path[0])
      ? { root: "\\", rest: path.slice(1) }
      : { root: "", rest: path };
  }

  /** Whether the root fixes the location without a current directory. */
  function isAbsolute(root: string): boolean {
    if (!windows) return root === "/";
    return root.startsWith("\\\\") || /^[A-Za-z]:\\$/.test(root);
  }

  /** Drop empty and `.` parts, apply `..` where there is a part to drop. */
  function normalizeParts(rest: string, rooted: boolean): string[] {
    const out: string[] = [];
    for (const part of rest.split(windows ? /[\\/]/ : "/")) {
      if (part === "" || part === ".") continue;
      if (part === "..") {
        if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
        else if (!rooted) out.push("..");
        continue;
      }
      out.push(part);
    }
    return out;
  }

  function normalize(path: string, keepTrailing: boolean): string {
    const { root, rest } = split(path);
    const rooted = root !== "" && (root !== "\\" || windows) &&
      (isSep(root[root.length - 1]));
    const parts = normalizeParts(rest, rooted);
    let body = parts.join(sep);
    if (keepTrailing && body !== "" && isSep(path[path.length - 1])) {
      body += sep;
    }
    if (body === "" && (root === "" || /^[A-Za-z]:$/.test(root))) {
      return root + ".";
    }
    return root + body;
  }

  return {
    dirname(path) {
      // node:path's algorithm: cut at the last separator before the last
      // part, keeping what precedes it exactly as written.
      if (path === "") return ".";
      const rootLength = path.length - split(path).rest.length;
      let end = -1;
      let inTrailing = true;
      for (let i = path.length - 1; i >= Math.max(rootLength, 1); i--) {
        if (isSep(path[i])) {
          if (!inTrailing) {
            end = i;
            break;
          }
        } else {
          inTrailing = false;
        }
      }
      if (end === -1) return rootLength > 0 ? path.slice(0, rootLength) : ".";
      if (!windows && rootLength === 1 && end === 1) return "//";
      return path.slice(0, end);
    },
    basename(path) {
      // Like node:path, only a drive letter is skipped as a root here.
      const start = windows && /^[A-Za-z]:/.test(path) ? 2 : 0;
      let end = path.length;
      while (end > start && isSep(path[end - 1])) end--;
      let cut = end - 1;
      while (cut >= start && !isSep(path[cut])) cut--;
      return path.slice(cut + 1, end);
    },
    join(...parts) {
      const given = parts.filter((part) => part !== "");
      let joined = given.join(sep);
      if (joined === "") return ".";
      if (windows && !/^[\\/]{2}[^\\/]/.test(given[0])) {
        // Only a first part that is itself a UNC path may start one.
        joined = joined.replace(/^[\\/]{2,}/, "\\");
      }
      return normalize(joined, true);
    },
    resolve(...paths) {
      let combined = "";
      let root = "";
      for (let i = paths.length - 1; i >= -1; i--) {
        const path = i >= 0 ? paths[i] : cwd();
        if (path === "") continue;
        const parsed = split(path);
        if (windows && root !== "" && parsed.root !== "") {
          // Already rooted without a drive ("\x"): take only a drive.
          const drive = /^[A-Za-z]:/.exec(parsed.root)?.[0] ??
            (parsed.root.startsWith("\\\\") ? parsed.root.slice(0, -1) : "");
          if (drive === "") continue;
          combined = drive + combined;
          break;
        }
        combined = combined === "" ? path : `${path}${sep}${combined}`;
        if (parsed.root !== "") root = parsed.root;
        if (isAbsolute(parsed.root)) break;
      }
      const normalized = normalize(combined, false);
      return normalized;
    },
  };
}

/** `node:path` `posix` behaviour, for tests on every platform. */
export const posix: PathOps = makeOps(false, () => Deno.cwd());
/** `node:path` `win32` behaviour, for tests on every platform. */
export const win32: PathOps = makeOps(true, () => Deno.cwd());

const native = Deno.build.os === "windows" ? win32 : posix;

/** The directory part of `path`, as `node:path` `dirname`. */
export function dirname(path: string): string {
  return native.dirname(path);
}

/** The last part of `path`, as `node:path` `basename`. */
export function basename(path: string): string {
  return native.basename(path);
}

/** `parts` joined with this platform's separator and normalized. */
export function join(...parts: string[]): string {
  return native.join(...parts);
}

/** `paths` resolved right to left against the current directory. */
export function resolve(...paths: string[]): string {
  return native.resolve(...paths);
}
