/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // ky is ESM-only: let ts-jest turn it into CommonJS for jest's module loader.
  transform: { "^.+\\.[tj]s$": ["ts-jest", { tsconfig: { allowJs: true, isolatedModules: true } }] },
  transformIgnorePatterns: ["/node_modules/(?!ky/)"],
  // The serialized provider requires the installed package; in unit tests that is this checkout's source.
  moduleNameMapper: { "^pulumi-pgbeam/dist/provider/(.*)$": "<rootDir>/provider/$1" },
  testTimeout: 60000,
};
