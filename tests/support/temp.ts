/**
 * A temporary directory for one test, removed after it.
 *
 * @module
 */

/**
 * Run `fn` with a new temporary directory (its real path, symlinks such as
 * macOS's /var resolved, so paths compare as the store writes them), then
 * remove it with everything in it, whatever `fn` did.
 */
export async function withTempDir<T>(
  prefix: string,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix }));
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
