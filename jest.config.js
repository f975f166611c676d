const os = require("node:os");

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  // At least two files at a time: a real-engine file spends much of its time waiting on the CLI's processes, and
  // jest's default (cores - 1) runs one at a time on 2 cores. Files share nothing (own emulator, stacks, temp dirs).
  maxWorkers: Math.max(2, os.availableParallelism() - 1),
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // ky is ESM-only: let ts-jest turn it into CommonJS for jest's module loader.
  transform: { "^.+\\.[tj]s$": ["ts-jest", { tsconfig: { allowJs: true, isolatedModules: true } }] },
  transformIgnorePatterns: ["/node_modules/(?!ky/)"],
  // The serialized provider requires the installed package; in unit tests that is this checkout's source.
  moduleNameMapper: { "^pulumi-pgbeam/dist/provider/(.*)$": "<rootDir>/provider/$1" },
  testTimeout: 60000,
};
