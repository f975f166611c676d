const os = require("node:os");

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  // One file more than there are cores: a real-engine file alone keeps less than one core busy (it waits on the
  // CLI's chain of processes, on outages and call budgets it injects), so with one file per core a core sits idle;
  // jest's default (cores - 1) would run one at a time on 2 cores. Files share nothing (own emulator, stacks, temp dirs).
  maxWorkers: os.availableParallelism() + 1,
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // ky is ESM-only: let ts-jest turn it into CommonJS for jest's module loader.
  transform: { "^.+\\.[tj]s$": ["ts-jest", { tsconfig: { allowJs: true, isolatedModules: true } }] },
  transformIgnorePatterns: ["/node_modules/(?!ky/)"],
  // The serialized provider requires the installed package; in unit tests that is this checkout's source.
  moduleNameMapper: { "^pulumi-pgbeam/dist/provider/(.*)$": "<rootDir>/provider/$1" },
  testTimeout: 60000,
};
