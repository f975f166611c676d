import * as fs from "node:fs";
import * as path from "node:path";

/** This package's version, from its package.json (found by walking up: the source and dist depths differ). */
export const PACKAGE_VERSION: string = (() => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "pulumi-pgbeam" && pkg.version) return pkg.version;
    }
  }
  return "0.0.0";
})();
