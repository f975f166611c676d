/**
 * The composition root: the provider host's side of every resource, wiring the registry's specs to the engine.
 * The serialized provider in state is a few lines that `require` this module from the program's node_modules, so
 * state holds no code of ours and no credentials, and read/delete always run the installed version.
 */
import { PgBeamClient } from "./client/client";
import { type ConfigSource, resolveClientOptions } from "./client/config";
import { RESOURCE_SPECS } from "./resources/registry";
import { accountOf } from "./engine/account";
import { DeploymentMemory } from "./engine/deployment-memory";
import { diagnosticsFor } from "./engine/diagnostics";
import { Lifecycle } from "./engine/lifecycle";
import { STACK_ANCHOR, stackAnchorVerbs } from "./engine/stack-anchor";

let stackConfig: ConfigSource | undefined;
let cachedClient: { key: string; client: PgBeamClient } | undefined;
/** The configuration problem last warned about, so each resource type's `configure()` does not repeat it. */
let warnedProblem: string | undefined;

/**
 * Called by each provider's `configure()` with the stack's config (secrets already decrypted by the engine).
 * Configure runs in every preview, even one that needs no API call (a first preview of new resources), so a missing
 * key or a malformed setting is noticed here: a warning on the Stack before anything is changed, where otherwise
 * the first create of `up` would fail. A preview that does call the API (policy checks) fails with the same message.
 */
export function configure(config: ConfigSource | undefined, resourceName?: string): void {
  stackConfig = config && asText(config);
  cachedClient = undefined;
  // The stack's anchor calls no API: a program whose PgBeam resources all use explicit providers needs no stack key.
  if (resourceName === STACK_ANCHOR) return;
  let problem: string | undefined;
  try {
    resolveClientOptions(stackConfig, process.env);
  } catch (error) {
    problem = (error as Error).message;
  }
  if (problem !== undefined && problem !== warnedProblem) {
    void diagnosticsFor(undefined).warn(
      `pulumi-pgbeam: ${problem}. Every PgBeam API call (create, update, refresh, delete) fails until then.`,
    );
  }
  warnedProblem = problem;
}

/**
 * The configuration as text, as stack config gives it: an explicit pgbeam.Provider's arguments arrive typed (a
 * boolean `predictRefusals`, a number `callBudgetMs`).
 */
function asText(config: ConfigSource): ConfigSource {
  return {
    get: (key) => {
      const value: unknown = config.get(key);
      return value === undefined || value === null ? undefined : String(value);
    },
    settingOf: config.settingOf && ((key) => config.settingOf!(key)),
  };
}

/** Builds the client on first use, from stack config then the environment; reused while they do not change. */
export function client(): PgBeamClient {
  const options = resolveClientOptions(stackConfig, process.env);
  const key = JSON.stringify(options);
  if (cachedClient?.key !== key) cachedClient = { key, client: new PgBeamClient(options) };
  return cachedClient.client;
}

/** `pgbeam:predictRefusals` (default true): whether a preview reads the account to predict the API's refusals. */
function predictsRefusals(config: ConfigSource | undefined): boolean {
  const value = config?.get("pgbeam:predictRefusals")?.trim().toLowerCase();
  if (value === undefined || value === "" || value === "true") return true;
  if (value === "false") return false;
  throw new Error(
    `pgbeam:predictRefusals must be true or false, got "${value}": run \`pulumi config set pgbeam:predictRefusals false\` to turn predictions off`,
  );
}

/**
 * This deployment's memory (see ./engine/deployment-memory): one provider process serves one deployment, so one
 * for the process, shared by every resource's verbs.
 */
export const thisDeployment = new DeploymentMemory();

const lifecycles = new Map<string, Lifecycle>();

/** The six verbs the serialized provider calls. */
export type ResourceVerbs = Pick<Lifecycle, "check" | "diff" | "create" | "read" | "update" | "delete">;

/** The verbs of a resource by the name its serialized provider carries: a PgBeam resource's, or the stack anchor's. */
export function lifecycle(resourceName: string): ResourceVerbs {
  if (resourceName === STACK_ANCHOR) return stackAnchorVerbs;
  let found = lifecycles.get(resourceName);
  if (!found) {
    const spec = RESOURCE_SPECS[resourceName];
    if (!spec) throw new Error(`pulumi-pgbeam: unknown resource type "${resourceName}" (is the package up to date?)`);
    found = new Lifecycle(spec, {
      client,
      account: () => accountOf(stackConfig),
      predicting: () => predictsRefusals(stackConfig),
      memory: thisDeployment,
    });
    lifecycles.set(resourceName, found);
  }
  return found;
}
