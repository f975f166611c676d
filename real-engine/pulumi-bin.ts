import { execFileSync } from "node:child_process";
import * as path from "node:path";

/**
 * The bin directory of a Pulumi CLI at @pulumi/pulumi's version: PULUMI_PGBEAM_BIN_DIR if set, else what
 * scripts/pulumi-cli.sh picks: a `pulumi` on PATH of that version, or its build from the Go module proxy (built on
 * first use, cached outside the repo by version).
 */
export function pulumiBinDir(): string {
  if (process.env.PULUMI_PGBEAM_BIN_DIR) return process.env.PULUMI_PGBEAM_BIN_DIR;
  const output = execFileSync("bash", [path.join(__dirname, "..", "scripts", "pulumi-cli.sh")], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  return output.trim().split("\n").pop()!;
}
