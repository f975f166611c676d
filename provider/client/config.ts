import type { ClientOptions } from "./client";

export const DEFAULT_BASE_URL = "https://api.pgbeam.com";

/** The environment variables that may hold the API key, canonical first (aliases match PgBeam's CLI and SDKs). */
export const API_KEY_ENV_VARS = ["PGBEAM_API_KEY", "PGBEAM_TOKEN", "PGBEAM_API_TOKEN"] as const;

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
  config?.settingOf?.(key) ?? `\`pgbeam:${key}\` (stack config: \`pulumi config set pgbeam:${key} …\`, or the \`${key}\` argument of an explicit pgbeam.Provider)`;

/**
 * Resolves client options: stack config `pgbeam:*` first, then the environment. Read at call time inside the
 * provider host, never captured in the serialized provider, so the key cannot reach the state file.
 */
export function resolveClientOptions(config: ConfigSource | undefined, env: NodeJS.ProcessEnv): ClientOptions {
  const fromConfig = (key: string) => nonEmpty(config?.get(`pgbeam:${key}`));
  const apiKey = fromConfig("apiKey") ?? API_KEY_ENV_VARS.map((name) => nonEmpty(env[name])).find(Boolean);
  if (!apiKey) {
    throw new Error(
      "PgBeam API key is not configured: run `pulumi config set --secret pgbeam:apiKey <key>` " +
        `or set ${API_KEY_ENV_VARS.join(" / ")}`,
    );
  }
  const configured = fromConfig("baseUrl");
  const fromEnv = configured === undefined ? nonEmpty(env.PGBEAM_API_URL) : undefined;
  const baseUrlOrigin = configured !== undefined ? settingOf(config, "baseUrl") : fromEnv !== undefined ? "the environment variable PGBEAM_API_URL" : undefined;
  const baseUrl = configured ?? fromEnv ?? DEFAULT_BASE_URL;
  if (!/^https?:\/\/[^/]/.test(baseUrl) || !URL.canParse(baseUrl)) {
    throw new Error(`the PgBeam API URL must be an http(s) URL such as ${DEFAULT_BASE_URL}, got "${baseUrl}": fix ${baseUrlOrigin}`);
  }
  return {
    apiKey,
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
