import * as pulumi from "@pulumi/pulumi";
import { PROVIDER_NAME_KEY } from "./client/config";

export interface ProviderArgs {
  /** The PgBeam API key; stored encrypted in state. Default: PGBEAM_API_KEY (or its aliases) where Pulumi runs. */
  apiKey?: pulumi.Input<string>;
  /** Default: PGBEAM_API_URL, else https://api.pgbeam.com. */
  baseUrl?: pulumi.Input<string>;
  /**
   * A stable name for the PgBeam account this key acts for, e.g. its organization id. When declared, resources
   * moved to a provider of another declared account are replaced (created there, deleted here), never silently
   * re-pointed. No default: without it nothing is stamped, and a resource moved between providers is an update.
   */
  account?: pulumi.Input<string>;
  /**
   * Whether a preview reads the account (plan, parents, names in use) to predict what the API would refuse at `up`.
   * Default: true; false makes a preview that calls no API at all for its predictions.
   */
  predictRefusals?: pulumi.Input<boolean>;
  /** How long one attempt may take. Default: 15000. */
  attemptTimeoutMs?: pulumi.Input<number>;
  /** How long one call keeps retrying, waits included (retries are bounded by time, not by count). Default: 110000. */
  callBudgetMs?: pulumi.Input<number>;
}

/**
 * An explicit PgBeam provider, for several accounts or keys in one program: pass it as `{ provider }` to any PgBeam
 * resource. It does not read the stack's `pgbeam:*` config; what it is not given falls back to the environment.
 *
 * PgBeam resources are Node dynamic resources, so this is a `pulumi-nodejs` provider whose configuration carries the
 * fully qualified `pgbeam:*` keys that the provider host reads in `configure()`.
 */
export class Provider extends pulumi.ProviderResource {
  constructor(name: string, args: ProviderArgs = {}, opts?: pulumi.ResourceOptions) {
    const config: pulumi.Inputs = {
      "pgbeam:apiKey": args.apiKey === undefined ? undefined : pulumi.secret(args.apiKey),
      "pgbeam:baseUrl": args.baseUrl,
      "pgbeam:account": args.account,
      "pgbeam:attemptTimeoutMs": args.attemptTimeoutMs,
      "pgbeam:callBudgetMs": args.callBudgetMs,
      // So messages about the key name this provider's `apiKey` argument, not the stack's pgbeam:apiKey.
      [`pgbeam:${PROVIDER_NAME_KEY}`]: name,
      "pgbeam:predictRefusals": args.predictRefusals,
    };
    super("pulumi-nodejs", name, config, opts);
    configurations.set(this, pulumi.output(config));
  }
}

/** Each explicit provider's `pgbeam:*` configuration, for lookups given `{ provider }` (see ./lookups). */
const configurations = new WeakMap<Provider, pulumi.Output<Record<string, unknown>>>();

export function configurationOf(provider: Provider): pulumi.Output<Record<string, unknown>> {
  const configuration = configurations.get(provider);
  if (!configuration) throw new Error("pulumi-pgbeam: `provider` must be a pgbeam.Provider");
  return configuration;
}
