/**
 * A TCP forwarder from IPv6 loopback to IPv4 loopback, run as its own
 * process (`deno run --allow-net=[::1],127.0.0.1 v6_forward.ts PORT`): the
 * test runner may only use 127.0.0.1, but awsmfa must reach an endpoint on
 * `[::1]`. Prints the port it listens on, then forwards every connection to
 * 127.0.0.1:PORT until it is killed.
 *
 * @module
 */

const target = Number(Deno.args[0]);
const listener = Deno.listen({ hostname: "::1", port: 0 });
console.log((listener.addr as Deno.NetAddr).port);

async function pipe(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  try {
    await from.readable.pipeTo(to.writable, { preventClose: false });
  } catch {
    // The other side went away.
  }
}

for await (const conn of listener) {
  Deno.connect({ hostname: "127.0.0.1", port: target }).then((upstream) => {
    pipe(conn, upstream);
    pipe(upstream, conn);
  }, () => conn.close());
}
