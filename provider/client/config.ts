import type { ClientOptions } from "./client";

export const DEFAULT_BASE_URL = "https://api.pgbeam.com";

/** The environment variables that may hold the API key, canonical first (aliases match PgBeam's CLI and SDKs). */
export const API_KEY_ENV_VARS = ["PGBEAM_API_KEY", "PGBEAM_TOKEN", "PGBEAM_API_TOKEN"] as const;

/** The configuration key under which an explicit pgbeam.Provider passes its own resource name. */
export const PROVIDER_NAME_KEY = "providerName";

/** What `configure()` hands us: Pulumi's dynamic-provider config, with secrets already decrypted. */
export interface ConfigSource {
  get(key: string): string | undefined;
  /**
   * How a user sets `key` in this source, for messages. Default: as stack config or an explicit provider's argument
   * (the provider host is given both the same way, so it cannot tell which).
   */
  settingOf?(key: string): string;
}

const settingOf = (config: ConfigSource | undefined, key: string) =>
  config?.settingOf?.(key) ??
  `\`pgbeam:${key}\` (stack config: \`pulumi config set pgbeam:${key} …\`, or the \`${key}\` argument of an explicit pgbeam.Provider)`;

/**
 * Resolves client options: stack config `pgbeam:*` first, then the environment. Read at call time inside the
 * provider host, never captured in the serialized provider, so the key cannot reach the state file.
 */
export function resolveClientOptions(config: ConfigSource | undefined, env: NodeJS.ProcessEnv): ClientOptions {
  const fromConfig = (key: string) => nonEmpty(config?.get(`pgbeam:${key}`));
  // An explicit pgbeam.Provider names itself in its configuration (see ../provider): messages name its arguments.
  const provider = fromConfig(PROVIDER_NAME_KEY);
  const variable = API_KEY_ENV_VARS.find((name) => nonEmpty(env[name]));
  const configured = fromConfig("apiKey");
  const apiKey = configured ?? (variable && nonEmpty(env[variable]));
  if (!apiKey) {
    throw new Error(
      "PgBeam API key is not configured: run `pulumi config set --secret pgbeam:apiKey <key>` " + `or set ${API_KEY_ENV_VARS.join(" / ")}`,
    );
  }
  const apiKeyOrigin: ClientOptions["apiKeyOrigin"] = configured
    ? provider
      ? { from: "provider", provider }
      : { from: "stack config" }
    : { from: "environment", variable: variable!, provider };
  const configuredUrl = fromConfig("baseUrl");
  const fromEnv = configuredUrl === undefined ? nonEmpty(env.PGBEAM_API_URL) : undefined;
  const baseUrlOrigin =
    configuredUrl !== undefined
      ? settingOf(config, "baseUrl")
      : fromEnv !== undefined
        ? "the environment variable PGBEAM_API_URL"
        : undefined;
  const baseUrl = configuredUrl ?? fromEnv ?? DEFAULT_BASE_URL;
  if (!/^https?:\/\/[^/]/.test(baseUrl) || !URL.canParse(baseUrl)) {
    throw new Error(`the PgBeam API URL must be an http(s) URL such as ${DEFAULT_BASE_URL}, got "${baseUrl}": fix ${baseUrlOrigin}`);
  }
  return {
    apiKey,
    apiKeyOrigin,
    baseUrl,
    baseUrlOrigin,
    attemptTimeoutMs: positiveInt(fromConfig("attemptTimeoutMs"), "pgbeam:attemptTimeoutMs"),
    callBudgetMs: positiveInt(fromConfig("callBudgetMs"), "pgbeam:callBudgetMs"),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== "" ? value.trim() : undefined;
}

function positiveInt(value: string | undefined, key: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${key} must be a positive integer, got "${value}"`);
  return parsed;
}
