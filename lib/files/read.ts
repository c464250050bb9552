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
import { holdsText } from "./same_text.ts";

/** The largest AWS file read: 32 MiB (100,000 profiles take about 8 MB). */
const MAX_FILE_BYTES = 32 * 1024 * 1024;

/**
 * Read a file as UTF-8 text, following symlinks. A byte order mark is kept as
 * the first character, so writing the text back keeps it.
 *
 * Only a regular file is read (a FIFO would block forever, `/dev/zero` never
 * ends), and at most `maxBytes`; `/dev/null` reads as no file, as the AWS CLI
 * treats it.
 *
 * `known` is the text an earlier `readText` of this file returned. When the
 * file still holds exactly its bytes (compared with its UTF-8 encoding as
 * the file is read), that string is returned and nothing is decoded; any
 * other content is read and decoded as if there were no `known`.
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
  known?: string | null,
): Promise<string | null> {
  const bytes = await readBytes(path, fs, maxBytes, known ?? undefined);
  if (bytes === null) return null;
  if (bytes === UNCHANGED) return known ?? null;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
      .decode(bytes);
  } catch {
    throw new UnreadableContentError(
      `Cannot read "${path}": it is not valid UTF-8 text`,
    );
  }
}

/** What {@linkcode readBytes} returns for a file that holds `known`. */
const UNCHANGED: unique symbol = Symbol("awsmfa.unchanged");

/**
 * The bytes of a regular file of at most `maxBytes`; see
 * {@linkcode readText}. {@linkcode UNCHANGED} when it holds exactly the
 * UTF-8 encoding of `known`: then the file is compared, not copied.
 */
async function readBytes(
  path: string,
  fs: StoreFs,
  maxBytes: number,
  known?: string,
): Promise<Uint8Array | null | typeof UNCHANGED> {
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
  if (known !== undefined && await holdsText(path, known, fs)) return UNCHANGED;
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
