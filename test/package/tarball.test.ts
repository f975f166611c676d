/**
 * The package as released: packed from a clean copy of the repository (no dist/, no node_modules of its own: what a
 * fresh clone has), installed into an empty project, and type-checked there against a program that uses every
 * export of provider/index.ts (read now, so a new export is covered without editing this test) and against the
 * README's snippets exactly as written, with the tsconfig.json `pulumi new typescript` writes. (The examples run from the installed tarball in test/e2e.)
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import ts from "typescript";
import { RESOURCE_SPECS } from "../../provider/resources/registry";

jest.setTimeout(15 * 60_000);

const repoRoot = path.resolve(__dirname, "../..");
const rootPackage = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });

/** The compiler options of the `tsconfig.json` that `pulumi new typescript` writes (its "files" is index.ts). */
const PULUMI_NEW_COMPILER_OPTIONS = {
  strict: true,
  outDir: "bin",
  target: "es2020",
  module: "commonjs",
  moduleResolution: "node",
  sourceMap: true,
  experimentalDecorators: true,
  pretty: true,
  noFallthroughCasesInSwitch: true,
  noImplicitReturns: true,
  forceConsistentCasingInFileNames: true,
};

/** provider/index.ts's exports: value exports (classes, functions, constants) and type-only ones. */
function declaredExports(): { values: string[]; types: string[] } {
  const file = path.join(repoRoot, "provider/index.ts");
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022);
  const values: string[] = [];
  const types: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement)) continue;
    if (!statement.exportClause || !ts.isNamedExports(statement.exportClause)) {
      throw new Error("provider/index.ts: `export *` hides which names are public; name them");
    }
    for (const element of statement.exportClause.elements) {
      (statement.isTypeOnly || element.isTypeOnly ? types : values).push(element.name.text);
    }
  }
  return { values, types };
}

/** The README's TypeScript blocks (the quick start's program, the lookups), verbatim. */
function readmeSnippets(): string[] {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
  if (blocks.length === 0) throw new Error("README.md has no ```ts block");
  return blocks;
}

/** The files a clean clone has (tracked, plus new files not ignored), copied without dist/ or node_modules. */
function cleanCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgbeam-clean-"));
  const files = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], repoRoot).split("\0");
  for (const file of files) {
    const from = path.join(repoRoot, file);
    if (!file || !fs.existsSync(from) || fs.lstatSync(from).isDirectory()) continue;
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, file));
  }
  // Dependencies exactly as `npm ci` installs them from the same lockfile (installed once, by CI, for the repo).
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

let tarball: string;
let tarballFiles: string[];
let consumer: string;
let clean: string;

beforeAll(() => {
  clean = cleanCopy();
  expect(fs.existsSync(path.join(clean, "dist"))).toBe(false);
  const packDir = fs.mkdtempSync(path.join(os.tmpdir(), "pgbeam-tarball-"));
  run("npm", ["pack", "--silent", "--pack-destination", packDir], clean);
  tarball = path.join(
    packDir,
    fs.readdirSync(packDir).find((file) => file.endsWith(".tgz"))!,
  );
  tarballFiles = run("tar", ["-tzf", tarball], packDir)
    .trim()
    .split("\n")
    .map((file) => file.replace(/^package\//, ""));

  consumer = fs.mkdtempSync(path.join(os.tmpdir(), "pgbeam-empty-project-"));
  fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "empty-project", private: true }));
  const dev = rootPackage.devDependencies as Record<string, string>;
  run(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      tarball,
      `@pulumi/pulumi@${dev["@pulumi/pulumi"]}`,
      `typescript@${dev.typescript}`,
      `@types/node@${dev["@types/node"]}`,
    ],
    consumer,
  );
});

afterAll(() => {
  for (const dir of [clean, consumer, tarball && path.dirname(tarball)]) {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
});

it("ships the compiled code, its types, the license package.json names and the changelog; no sources or tests", () => {
  for (const file of [
    "package.json",
    "README.md",
    "LICENSE",
    "CHANGELOG.md",
    "dist/provider/index.js",
    "dist/provider/index.d.ts",
    "dist/provider/engine/host.js",
  ]) {
    expect(tarballFiles).toContain(file);
  }
  expect(tarballFiles.filter((file) => /\.ts$/.test(file) && !file.endsWith(".d.ts"))).toEqual([]);
  expect(tarballFiles.filter((file) => /^(test|scripts|examples)\//.test(file))).toEqual([]);

  const installed = path.join(consumer, "node_modules/pulumi-pgbeam");
  const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"));
  expect(manifest.license).toBe("Apache-2.0");
  const license = fs.readFileSync(path.join(installed, "LICENSE"), "utf8");
  expect(license).toMatch(/Apache License\s+Version 2\.0, January 2004/);
  expect(fs.readFileSync(path.join(installed, "CHANGELOG.md"), "utf8")).toContain(`## [${manifest.version}]`);
});

it("exports at run time exactly the values provider/index.ts declares", () => {
  const keys = JSON.parse(run("node", ["-p", 'JSON.stringify(Object.keys(require("pulumi-pgbeam")))'], consumer));
  expect([...keys].sort()).toEqual([...declaredExports().values].sort());
});

it("type-checks a program using every export, and the README's snippets as written, with pulumi new's tsconfig", () => {
  const { values, types } = declaredExports();
  const kinds: Record<string, string> = JSON.parse(
    run(
      "node",
      [
        "-e",
        `const pulumi = require("@pulumi/pulumi"); const pgbeam = require("pulumi-pgbeam");
         console.log(JSON.stringify(Object.fromEntries(Object.entries(pgbeam).map(([name, value]) => [name,
           typeof value !== "function" ? "value"
           : value.prototype instanceof pulumi.CustomResource ? "resource"
           : /^class\\b/.test(Function.prototype.toString.call(value)) ? "class" : "function"]))));`,
      ],
      consumer,
    ),
  );
  const lines = [
    'import * as pulumi from "@pulumi/pulumi";',
    'import * as pgbeam from "pulumi-pgbeam";',
    "declare const options: pulumi.CustomResourceOptions;",
  ];
  for (const name of values) {
    const kind = kinds[name];
    if (kind === "resource") {
      const argsType = types.includes(`${name}Args`) ? `pgbeam.${name}Args` : `ConstructorParameters<typeof pgbeam.${name}>[1]`;
      lines.push(
        `declare const ${name}_args: ${argsType};`,
        `const ${name}_resource = new pgbeam.${name}("${name}", ${name}_args, options);`,
        `export const ${name}_id: pulumi.Output<string> = ${name}_resource.id;`,
        `export const ${name}_urn: pulumi.Output<string> = ${name}_resource.urn;`,
      );
    } else if (kind === "class") {
      lines.push(
        `declare const ${name}_args: ConstructorParameters<typeof pgbeam.${name}>;`,
        `export const ${name}_made = new pgbeam.${name}(...${name}_args);`,
      );
    } else if (kind === "function") {
      lines.push(
        `declare const ${name}_args: Parameters<typeof pgbeam.${name}>;`,
        `export const ${name}_result = pgbeam.${name}(...${name}_args);`,
      );
    } else {
      lines.push(`export const ${name}_value = pgbeam.${name};`);
    }
  }
  for (const name of types) lines.push(`export type ${name}_type = pgbeam.${name};`);

  const programs = path.join(consumer, "programs");
  fs.mkdirSync(programs);
  fs.writeFileSync(path.join(programs, "every-export.ts"), `${lines.join("\n")}\n`);
  readmeSnippets().forEach((snippet, index) => fs.writeFileSync(path.join(programs, `readme-${index + 1}.ts`), snippet));
  // Exactly the tsconfig.json `pulumi new typescript` writes (libraries checked: no skipLibCheck), for these files.
  fs.writeFileSync(
    path.join(consumer, "tsconfig.json"),
    JSON.stringify({ compilerOptions: PULUMI_NEW_COMPILER_OPTIONS, include: ["programs/*.ts"] }),
  );
  const tsc = path.join(consumer, "node_modules/typescript/bin/tsc");
  let output = "";
  try {
    output = run("node", [tsc, "-p", ".", "--noEmit"], consumer);
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    output = `${failed.stdout ?? ""}${failed.stderr ?? ""}`;
  }
  expect(output).toBe("");
  expect(Object.keys(kinds).sort()).toEqual([...values].sort());
});

/** A language service over one program file in the consumer project, as an editor would run it. */
function languageService(program: string, text: () => string): ts.LanguageService {
  const options: ts.CompilerOptions = {
    strict: true,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    types: ["node"],
  };
  return ts.createLanguageService({
    getCompilationSettings: () => options,
    getScriptFileNames: () => [program],
    getScriptVersion: () => "1",
    getScriptSnapshot: (file) =>
      file === program
        ? ts.ScriptSnapshot.fromString(text())
        : fs.existsSync(file)
          ? ts.ScriptSnapshot.fromString(fs.readFileSync(file, "utf8"))
          : undefined,
    getCurrentDirectory: () => consumer,
    getDefaultLibFileName: ts.getDefaultLibFilePath,
    fileExists: (file) => file === program || fs.existsSync(file),
    readFile: (file) => fs.readFileSync(file, "utf8"),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  });
}

it("documents every input and output of every registered resource on hover, from the installed declarations", () => {
  const resources = Object.keys(RESOURCE_SPECS);
  // First the fields, as the installed declarations have them: every key of each resource's Args and Outputs.
  const declarations = [
    'import * as pgbeam from "pulumi-pgbeam";',
    ...resources.map((name) => `declare const ${name}_args: pgbeam.${name}Args; declare const ${name}_outputs: pgbeam.${name}Outputs;`),
  ].join("\n");
  const listing = languageService(path.join(consumer, "fields.ts"), () => declarations).getProgram()!;
  const checker = listing.getTypeChecker();
  const keysOf = (variable: string) => {
    const statement = listing
      .getSourceFile(path.join(consumer, "fields.ts"))!
      .statements.filter(ts.isVariableStatement)
      .flatMap((s) => [...s.declarationList.declarations])
      .find((d) => d.name.getText() === variable)!;
    return checker.getPropertiesOfType(checker.getTypeAtLocation(statement.name)).map((symbol) => symbol.name);
  };
  // Then a hover on each, as a program reads them: an argument in a constructor's object, an output on the object.
  const lines = ['import * as pgbeam from "pulumi-pgbeam";'];
  const probes: { resource: string; field: string; kind: string; line: number; column: number }[] = [];
  for (const name of resources) {
    const inputs = keysOf(`${name}_args`);
    const outputs = keysOf(`${name}_outputs`);
    expect([name, outputs.length > 0, inputs.length > 1]).toEqual([name, true, true]);
    lines.push(`declare const ${name}_resource: pgbeam.${name};`, `declare const ${name}_args: pgbeam.${name}Args;`);
    for (const field of inputs) {
      probes.push({ resource: name, field, kind: "input", line: lines.length, column: `${name}_args.`.length });
      lines.push(`${name}_args.${field};`);
    }
    for (const field of outputs) {
      probes.push({ resource: name, field, kind: "output", line: lines.length, column: `${name}_resource.`.length });
      lines.push(`${name}_resource.${field};`);
    }
  }
  const program = path.join(consumer, "hover.ts");
  const source = lines.join("\n");
  const service = languageService(program, () => source);
  const file = service.getProgram()!.getSourceFile(program)!;
  const undocumented = probes
    .filter(({ line, column }) => {
      const info = service.getQuickInfoAtPosition(program, file.getPositionOfLineAndCharacter(line, column));
      return ts.displayPartsToString(info?.documentation).trim() === "";
    })
    .map(({ resource, field, kind }) => `${resource} ${kind} ${field}`);
  expect(undocumented).toEqual([]);
  expect(probes.length).toBeGreaterThan(200);
});
