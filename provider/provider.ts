import * as pulumi from "@pulumi/pulumi";

export interface ProviderArgs {
  /** The PgBeam API key; stored encrypted in state. Default: PGBEAM_API_KEY (or its aliases) where Pulumi runs. */
  apiKey?: pulumi.Input<string>;
  /** Default: PGBEAM_API_URL, else https://api.pgbeam.com. */
  baseUrl?: pulumi.Input<string>;
  /**
   * A stable name for the PgBeam account this key acts for, e.g. its organization id. Resources moved to a provider
   * of another account are replaced (created there, deleted here), never silently re-pointed. Default: this
   * provider's name; give two providers the same account to move resources between them in place.
   */
  account?: pulumi.Input<string>;
  attemptTimeoutMs?: pulumi.Input<number>;
  callBudgetMs?: pulumi.Input<number>;
  maxRetries?: pulumi.Input<number>;
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
      "pgbeam:account": args.account ?? name,
      "pgbeam:attemptTimeoutMs": args.attemptTimeoutMs,
      "pgbeam:callBudgetMs": args.callBudgetMs,
      "pgbeam:maxRetries": args.maxRetries,
    };
    super("pulumi-nodejs", name, config, opts);
  }
}
