// A third floor for the benchmark: one GetSessionToken through the bundle's
// STS chunk (the browser build of `@aws-sdk/client-sts`, as a refresh makes
// it), with no AWS file read or written. Run with the binary's permission
// set; the keys, serial and endpoint come from AWSMFA_BENCH_* variables.
const dir = new URL("../dist/bundle/", import.meta.url);
const chunk = [...Deno.readDirSync(dir)].find((entry) =>
  /^sts-[A-Z0-9]+\.js$/.test(entry.name)
);
if (chunk === undefined) throw new Error("no sts chunk: run deno task build");
const { getSessionToken } = await import(new URL(chunk.name, dir).href);
const env = (name: string) => Deno.env.get(`AWSMFA_BENCH_${name}`) ?? "";
const session = await getSessionToken({
  accessKeyId: env("KEY_ID"),
  secretAccessKey: env("SECRET"),
  region: "eu-west-1",
  endpoint: env("ENDPOINT"),
  serialNumber: env("SERIAL"),
  tokenCode: "123456",
  durationSeconds: 43200,
  sourceProfile: "work",
});
console.log(typeof session.accessKeyId);
