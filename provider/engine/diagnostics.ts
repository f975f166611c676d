/**
 * Messages attached to a resource in `pulumi preview`/`up`. Dynamic providers have no API for this (pulumi#6065):
 * `console.*` only reaches the Stack's row as info text. The engine's own `Log` RPC does attach a message to a
 * resource when given its URN, and the engine passes its address to every provider host as `argv[2]`. The URN
 * comes from the program as the hidden `__urn` input (see `PgBeamResource`). Without an engine address (unit
 * tests, an unexpected launcher) messages go to stderr, which the CLI still shows under the Stack.
 */

export interface Diagnostics {
  info(message: string): Promise<void>;
  warn(message: string): Promise<void>;
}

type Severity = "INFO" | "WARNING";

interface EngineLogClient {
  log(request: unknown, callback: () => void): void;
}

let engine: { client: EngineLogClient; LogRequest: new () => any; LogSeverity: Record<Severity, number> } | undefined;

/** `host:port` (IPv4, name or bracketed IPv6) as the engine passes it; anything else means no engine. */
const ENGINE_ADDRESS = /^[\w.\-[\]:]+:\d+$/;

function engineClient(address: string): NonNullable<typeof engine> {
  if (!engine) {
    // @pulumi/pulumi's own copies of grpc-js and the generated protos, so their versions always match.
    const pulumiDir = require.resolve("@pulumi/pulumi");
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
    const { EngineClient } = require("@pulumi/pulumi/proto/engine_grpc_pb");
    const { LogRequest, LogSeverity } = require("@pulumi/pulumi/proto/engine_pb");
    engine = { client: new EngineClient(address, grpc.credentials.createInsecure()), LogRequest, LogSeverity };
  }
  return engine;
}

function write(severity: Severity, message: string, urn: string): Promise<void> {
  const address = process.argv[2];
  if (!address || !ENGINE_ADDRESS.test(address)) {
    console.error(`${severity.toLowerCase()}: ${message}`);
    return Promise.resolve();
  }
  const { client, LogRequest, LogSeverity } = engineClient(address);
  const request = new LogRequest();
  request.setSeverity(LogSeverity[severity]);
  request.setMessage(message);
  request.setUrn(urn);
  // A lost log line must never fail the operation it describes.
  return new Promise((resolve) => client.log(request, () => resolve()));
}

/** Diagnostics for one resource; an empty URN attaches them to the Stack. */
export function diagnosticsFor(urn: unknown): Diagnostics {
  const target = typeof urn === "string" ? urn : "";
  return {
    info: (message) => write("INFO", message, target),
    warn: (message) => write("WARNING", message, target),
  };
}

/** The resource's name as the program gave it, from its URN (`urn:pulumi:stack::project::type::name`). */
export function resourceNameOf(urn: unknown): string | undefined {
  return typeof urn === "string" && urn.includes("::") ? urn.slice(urn.lastIndexOf("::") + 2) : undefined;
}
