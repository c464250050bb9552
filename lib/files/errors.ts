/**
 * The errors of the file primitives, and the short reasons they give: paths
 * and file kinds, never file contents.
 *
 * @module
 */

import { LocalError } from "../shared/errors.ts";

/** A file that cannot be read, locked or replaced (exit code 3). */
export class StoreError extends LocalError {
  /** Create a store error. The message names paths, never file contents. */
  constructor(message: string) {
    super(message);
    this.name = "StoreError";
  }
}

/**
 * A path that is not a regular file where awsmfa reads or locks one (a FIFO,
 * a device, a symlinked lock file): refused, never worked around.
 */
export class NotRegularFileError extends StoreError {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "NotRegularFileError";
  }
}

/** A file whose content cannot be used: too big, or not UTF-8 text. */
export class UnreadableContentError extends StoreError {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "UnreadableContentError";
  }
}

/** A short reason for a file system error; never file contents. */
export function describeFsError(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file or directory";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.NotCapable) {
    return "Deno's permissions do not allow it";
  }
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  if (error instanceof Deno.errors.NotADirectory) {
    return "a part of the path is not a directory";
  }
  if (error instanceof Deno.errors.FilesystemLoop) {
    return "too many levels of symbolic links";
  }
  if (error instanceof Deno.errors.AlreadyExists) return "it already exists";
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The errno name of a file system error (`EXDEV`, `EBUSY`), if known. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Why a path that is not a regular file cannot be used. */
export function notRegular(info: Deno.FileInfo): string {
  if (info.isDirectory) return "it is a directory";
  if (info.isSymlink) return "it is a symbolic link, not a regular file";
  if (info.isFifo) return "it is a named pipe, not a regular file";
  if (info.isCharDevice || info.isBlockDevice) {
    return "it is a device, not a regular file";
  }
  if (info.isSocket) return "it is a socket, not a regular file";
  return "it is not a regular file";
}
