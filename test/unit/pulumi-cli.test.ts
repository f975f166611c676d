/**
 * scripts/pulumi-cli.sh uses a `pulumi` the user already has when it is @pulumi/pulumi's version and has the Node
 * language host and the dynamic-provider launcher beside it; otherwise it says why and builds.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const script = path.resolve(__dirname, "../../scripts/pulumi-cli.sh");
const wanted = JSON.parse(fs.readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")).version as string;

/** A directory holding a fake `pulumi` that reports `version`, and the given helper executables. */
function fakeInstall(version: string, helpers: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgbeam-fake-pulumi-"));
  const write = (name: string, body: string) => fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  write("pulumi", `[ "$1" = version ] && echo v${version}`);
  for (const helper of helpers) write(helper, "exit 0");
  return dir;
}

/**
 * Runs the script with the fake first on PATH, an empty cache and Go's module proxy switched off, so a decision to
 * build fails at once instead of building.
 */
function pick(dir: string) {
  const result = spawnSync("bash", [script], {
    encoding: "utf8",
    env: {
      ...process.env,
      PATH: `${dir}:${process.env.PATH}`,
      PULUMI_PGBEAM_CACHE: path.join(dir, "cache"),
      GOPROXY: "off",
      GOMODCACHE: path.join(dir, "gomod"),
    },
  });
  spawnSync("chmod", ["-R", "u+w", dir]); // Go leaves its module cache read-only
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: result.status, bin: result.stdout.trim(), log: result.stderr };
}

const HELPERS = ["pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"];

it("uses a pulumi on PATH of the same version as @pulumi/pulumi, building nothing", () => {
  const dir = fakeInstall(wanted, HELPERS);
  expect(pick(dir)).toEqual({ status: 0, bin: dir, log: expect.stringContaining(`using pulumi v${wanted} from PATH`) });
});

it("builds when the pulumi on PATH is another version, and says why", () => {
  const result = pick(fakeInstall("3.100.0", HELPERS));
  expect(result.log).toContain(`is 'v3.100.0', not v${wanted}: using the build`);
  expect(result.status).not.toBe(0);
});

it("builds when the language host or the dynamic-provider launcher is missing beside it", () => {
  const result = pick(fakeInstall(wanted, ["pulumi-language-nodejs"]));
  expect(result.log).toContain("lacks pulumi-resource-pulumi-nodejs beside it: using the build");
  expect(result.status).not.toBe(0);
});
