/**
 * Reading a file: regular files only, size-capped, strict UTF-8.
 *
 * @module
 */

import { denoStoreFs, type StoreFs } from "./fs.ts";
import {
  describeFsError,
  notRegular,
  NotRegularFileError,
  StoreError,
  UnreadableContentError,
} from "./errors.ts";
import { holdsBytes } from "./same_bytes.ts";

/** The largest AWS file read: 32 MiB (100,000 profiles take about 8 MB). */
const MAX_FILE_BYTES = 32 * 1024 * 1024;

/**
 * A file's text as read, with the bytes it was decoded from: what
 * {@linkcode readText} needs to tell, later, that the file has not changed.
 */
export interface TextRead {
  /** The text; null when the file does not exist. */
  text: string | null;
  /** The bytes `text` was decoded from; absent when it was not read from a file. */
  bytes?: Uint8Array;
}

/**
 * Read a file as UTF-8 text, following symlinks. A byte order mark is kept as
 * the first character, so writing the text back keeps it.
 *
 * Only a regular file is read (a FIFO would block forever, `/dev/zero` never
 * ends), and at most `maxBytes`; `/dev/null` reads as no file, as the AWS CLI
 * treats it.
 *
 * When the file holds exactly the bytes of `known` (an earlier read of it),
 * the text of `known` is returned, the same string, without decoding the
 * bytes again; any other content is decoded as if there were no `known`.
 *
 * @returns The text, or null when the file (or a link's destination) does not
 * exist.
 * @throws {StoreError} naming the path, never the content, on any other
 * failure: not a regular file, too big, a parent that is a file, no
 * permission, invalid UTF-8.
 */
export async function readText(
  path: string,
  fs: StoreFs = denoStoreFs,
  maxBytes: number = MAX_FILE_BYTES,
  known?: TextRead,
): Promise<string | null> {
  const same = known?.text != null ? known.bytes : undefined;
  const bytes = await readBytes(path, fs, maxBytes, same);
  if (bytes === null) return null;
  if (known?.text != null && bytes === same) return known.text;
  return decode(bytes, path);
}

/**
 * Read a file as {@linkcode readText} does, and keep the bytes beside the
 * text, so that a later {@linkcode readText} of the same file can be given
 * them as `known`.
 */
export async function readTextWithBytes(
  path: string,
  fs: StoreFs = denoStoreFs,
  maxBytes: number = MAX_FILE_BYTES,
): Promise<TextRead> {
  const bytes = await readBytes(path, fs, maxBytes);
  if (bytes === null) return { text: null };
  return { text: decode(bytes, path), bytes };
}

function decode(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
      .decode(bytes);
  } catch {
    throw new UnreadableContentError(
      `Cannot read "${path}": it is not valid UTF-8 text`,
    );
  }
}

/**
 * The bytes of a regular file of at most `maxBytes`; see
 * {@linkcode readText}. When the file holds exactly the bytes of `known`,
 * `known` itself is returned, and the file is compared, not copied.
 */
async function readBytes(
  path: string,
  fs: StoreFs,
  maxBytes: number,
  known?: Uint8Array,
): Promise<Uint8Array | null> {
  let info: Deno.FileInfo;
  try {
    info = await fs.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw new StoreError(`Cannot read "${path}": ${describeFsError(error)}`);
  }
  if (!info.isFile) {
    if (info.isCharDevice && await isDevNull(path, fs)) return null;
    throw new NotRegularFileError(`Cannot read "${path}": ${notRegular(info)}`);
  }
  const tooBig = () =>
    new UnreadableContentError(
      `Cannot read "${path}": it is larger than ${describeSize(maxBytes)}`,
    );
  if (info.size > maxBytes) throw tooBig();
  if (
    known !== undefined && info.size === known.length &&
    await holdsBytes(path, known, fs)
  ) {
    return known;
  }
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path, maxBytes);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw new StoreError(`Cannot read "${path}": ${describeFsError(error)}`);
  }
  if (bytes.length > maxBytes) throw tooBig();
  return bytes;
}

async function isDevNull(path: string, fs: StoreFs): Promise<boolean> {
  try {
    return await fs.realPath(path) === "/dev/null";
  } catch {
    return false;
  }
}

function describeSize(bytes: number): string {
  return bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : `${bytes} bytes`;
}
