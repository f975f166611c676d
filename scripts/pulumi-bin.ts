import { execFileSync } from "node:child_process";
import * as path from "node:path";

/**
 * The bin directory of the Pulumi CLI build: PULUMI_PGBEAM_BIN_DIR if set, else scripts/pulumi-cli.sh's build
 * (built from the Go module proxy on first use, cached outside the repo by version).
 */
export function pulumiBinDir(): string {
  if (process.env.PULUMI_PGBEAM_BIN_DIR) return process.env.PULUMI_PGBEAM_BIN_DIR;
  const output = execFileSync("bash", [path.join(__dirname, "pulumi-cli.sh")], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  return output.trim().split("\n").pop()!;
}
