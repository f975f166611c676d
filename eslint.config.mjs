// Lint: typescript-eslint's recommended rules plus the typed ones that catch what tsc does not (a promise nobody
// awaits, a promise where a plain value is expected). No formatting rules: the code's layout is not linted.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // Generated or recorded, not written here: the schemas (npm run generate) and a provider Pulumi serialized.
  { ignores: ["dist/", "**/node_modules/", "provider/api/schemas.generated.ts", "test/unit/fixtures/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      // The serialized provider and the mocked tests load modules at call time, on purpose.
      "@typescript-eslint/no-require-imports": "off",
      // The emulator and its tests handle the API's JSON as it comes; strict tsc checks everything else.
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
    },
  },
  {
    // Plain Node.js files: the example and test programs, the GitOps renderer.
    files: ["**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        process: "readonly",
        console: "readonly",
        __dirname: "readonly",
        fetch: "readonly",
      },
    },
  },
);
