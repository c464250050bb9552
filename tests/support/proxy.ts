/**
 * A loopback forward proxy for tests, as corporate proxies behave: a plain
 * HTTP request in absolute form (`POST http://host:port/ HTTP/1.1`) is
 * passed on to its origin unchanged, a `CONNECT host:port` gets
 * `200 Connection established` and then a byte tunnel. Only loopback
 * origins are allowed. It records the first line of each connection.
 *
 * @module
 */

/** A running proxy. */
export interface Proxy {
  /** `http://127.0.0.1:PORT`, for HTTP_PROXY / HTTPS_PROXY. */
  url: string;
  /** The first line of every connection so far (request line or CONNECT). */
  lines: string[];
  /** Stop and close every connection. */
  close(): Promise<void>;
}

const HEAD_LIMIT = 64 * 1024;

async function pipe(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(16_384);
  while (true) {
    const n = await from.read(buf).catch(() => null);
    if (n === null) break;
    let written = 0;
    while (written < n) {
      written += await to.write(buf.subarray(written, n)).catch(() => n);
    }
  }
  try {
    to.closeWrite();
  } catch {
    // already closed
  }
}

/** Start a proxy on 127.0.0.1, port 0. */
export function startProxy(): Proxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const lines: string[] = [];
  const open = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();

  async function serve(client: Deno.Conn): Promise<void> {
    open.add(client);
    let head = new Uint8Array(0);
    const buf = new Uint8Array(4096);
    let end = -1;
    while (end < 0 && head.length < HEAD_LIMIT) {
      const n = await client.read(buf).catch(() => null);
      if (n === null) return;
      const joined = new Uint8Array(head.length + n);
      joined.set(head);
      joined.set(buf.subarray(0, n), head.length);
      head = joined;
      end = new TextDecoder().decode(head).indexOf("\r\n");
    }
    const line = new TextDecoder().decode(head).slice(0, end);
    lines.push(line);
    const connect = /^CONNECT (127\.0\.0\.1):(\d+) HTTP\/1\.[01]$/.exec(line);
    const plain = /^[A-Z]+ http:\/\/(127\.0\.0\.1):(\d+)\/\S* HTTP\/1\.[01]$/
      .exec(line);
    const target = connect ?? plain;
    if (target === null) {
      await client.write(
        new TextEncoder().encode(
          "HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        ),
      ).catch(() => 0);
      return;
    }
    const upstream = await Deno.connect({
      hostname: target[1],
      port: Number(target[2]),
    });
    open.add(upstream);
    try {
      await relay(client, upstream, head, connect !== null);
    } finally {
      open.delete(upstream);
      try {
        upstream.close();
      } catch {
        // already closed
      }
    }
  }

  async function relay(
    client: Deno.Conn,
    upstream: Deno.Conn,
    head: Uint8Array,
    connect: boolean,
  ): Promise<void> {
    const buf = new Uint8Array(4096);
    if (connect) {
      // Wait for the whole CONNECT head, answer it, then tunnel.
      while (!new TextDecoder().decode(head).includes("\r\n\r\n")) {
        const n = await client.read(buf).catch(() => null);
        if (n === null) return;
        const joined = new Uint8Array(head.length + n);
        joined.set(head);
        joined.set(buf.subarray(0, n), head.length);
        head = joined;
      }
      await client.write(
        new TextEncoder().encode("HTTP/1.1 200 Connection established\r\n\r\n"),
      );
    } else {
      await upstream.write(head);
    }
    await Promise.all([pipe(client, upstream), pipe(upstream, client)]);
  }

  const accepting = (async () => {
    for await (const conn of listener) {
      const task = serve(conn).catch(() => {}).finally(() => {
        open.delete(conn);
        try {
          conn.close();
        } catch {
          // already closed
        }
        tasks.delete(task);
      });
      tasks.add(task);
    }
  })().catch(() => {});

  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    lines,
    async close() {
      listener.close();
      for (const conn of open) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      await Promise.all([...tasks]);
      await accepting;
    },
  };
}
