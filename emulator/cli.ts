import { startEmulator } from "./index";

/**
 * `npm run emulator -- [--port 8787]` (or `PORT=8787`): runs the emulator until SIGINT/SIGTERM and logs one line
 * per request. `PGBEAM_EMULATOR_API_KEY=pbu_…` fixes the demo key, so a shell configured once keeps working across
 * restarts. (Not `PGBEAM_API_KEY`: that may hold a real key, which the emulator would then print.)
 */

function portFromArgs(args: string[]): number {
  const flag = args.indexOf("--port");
  const value = flag >= 0 ? args[flag + 1] : (process.env.PORT ?? "8787");
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${JSON.stringify(value)}`);
  return port;
}

async function main(): Promise<void> {
  const configuredKey = process.env.PGBEAM_EMULATOR_API_KEY;
  const emulator = await startEmulator({
    port: portFromArgs(process.argv.slice(2)),
    apiKey: configuredKey?.startsWith("pbu_") ? configuredKey : undefined,
    onRequest: (r) => {
      const notes = [
        r.operationId,
        r.replayed ? "replayed" : undefined,
        r.fault ? "fault" : undefined,
        r.validationErrors?.join("; "),
      ].filter(Boolean);
      console.log(`${r.method} ${r.path} → ${r.status || "dropped"}  ${notes.join(" · ")}`);
    },
  });
  console.log(`PgBeam API emulator listening on ${emulator.url}`);
  console.log(`  export PGBEAM_API_URL=${emulator.url}`);
  console.log(`  export PGBEAM_API_KEY=${emulator.apiKey}`);
  console.log(`  organization: ${emulator.orgId}`);
  const shutdown = () => {
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
