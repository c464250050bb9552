/**
 * The module main.ts loads last, just before `Deno.exit`, so that Deno keeps
 * the V8 code cache of everything the run loaded.
 *
 * Deno compiles each module and hands V8's code cache of it to its cache
 * directory only when it next works on loading modules (a dynamic import)
 * or when the event loop runs dry; `Deno.exit` comes before either, so a run
 * that loads no module late (status, skip-while-valid, a warm
 * credential-process) would compile every module from source again on every
 * run. Loading this one first lets Deno write those caches; once they are
 * written, the next runs read them and this import costs one small module.
 *
 * @module
 */

/** True: the module was loaded (it has nothing else to give). */
export const LOADED = true;
