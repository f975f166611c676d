import * as http from "node:http";
import * as https from "node:https";
import type { Options } from "ky";

/** What ky's `fetch` option takes: a function with fetch's signature. */
export type Transport = NonNullable<Options["fetch"]>;

/**
 * ky's transport for one base URL: each request over `node:http` (or `node:https`) through one keep-alive agent,
 * the answer read whole (the API's answers are small JSON documents). Through Node's own `fetch` (undici), 100
 * concurrent creates cost the client process about 1.6 times the CPU (docs/benchmarks.md, the provider host), much
 * of it in the web streams it makes and reads for every request and answer.
 * Differences from Node 20's `fetch` that matter here: no `accept-encoding` is sent, so answers come uncompressed
 * (fetch asked for gzip and inflated them); no port is refused as "bad" (fetch refuses 6000, 6667…). Like Node 20's
 * `fetch`, it honours no proxy environment variable (HTTPS_PROXY…). Errors are Node's (`code` on the error itself,
 * e.g. ECONNREFUSED), not fetch's `TypeError` with the code on its `cause`. The request's `signal` (ky's timeout)
 * aborts the exchange, which frees its socket.
 */
export function nodeHttpTransport(baseUrl: string): Transport {
  const secure = new URL(baseUrl).protocol === "https:";
  // Idle sockets are unref'd by the agent (they never keep the provider host alive) and closed before the server's
  // own keep-alive timeout when it announces one (`Keep-Alive: timeout=5`).
  const agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const send = secure ? https.request : http.request;
  return async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    if (body !== undefined) headers["content-length"] = String(body.length);
    return new Promise<Response>((resolve, reject) => {
      const outgoing = send(request.url, { method: request.method, headers, agent, signal: request.signal }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("error", reject);
        incoming.on("end", () => {
          const pairs: [string, string][] = [];
          for (let i = 0; i < incoming.rawHeaders.length; i += 2) pairs.push([incoming.rawHeaders[i], incoming.rawHeaders[i + 1]]);
          try {
            resolve(
              new ReadAnswer(Buffer.concat(chunks).toString("utf8"), {
                status: incoming.statusCode,
                statusText: incoming.statusMessage,
                headers: pairs,
              }),
            );
          } catch (error) {
            // A status a Response cannot carry (outside 200-599): not an answer the API gives.
            reject(error);
          }
        });
      });
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  };
}

/**
 * An answer already read whole: `text()` and `json()` return it, with no web stream behind them (`body` is null:
 * a stream made and read per answer cost 100 creates about 50 ms of CPU). ky reads `ok` only (we set no hooks,
 * which would `clone()` it) and the client `text()`, `json()`, `status`, `statusText` and `headers`.
 */
class ReadAnswer extends Response {
  constructor(
    private readonly answer: string,
    init: ResponseInit,
  ) {
    super(null, init);
  }
  // Fields, not methods: the DOM types declare Response's readers as properties.
  override readonly text = async (): Promise<string> => this.answer;
  override readonly json = async (): Promise<unknown> => JSON.parse(this.answer);
}
