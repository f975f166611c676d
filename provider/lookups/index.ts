/**
 * Lookups: read existing PgBeam objects from a program, in the Pulumi convention (`getX` returns a Promise,
 * `getXOutput` takes Inputs and returns an Output). They run in the program process, with the key and URL from
 * the same `pgbeam:` stack config and environment variables as the provider, or from an explicit provider's
 * (`{ provider }`, like Pulumi's InvokeOptions), and register nothing: no key, and nothing else, reaches state
 * unless the program exports a result.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PgBeamClient } from "../client/client";
import { type ConfigSource, resolveClientOptions } from "../client/config";
import { isNotFound } from "../client/errors";
import { fromApi, type Props } from "../engine/values";
import { configurationOf, type Provider } from "../provider";
import { segment } from "../resources/paths";
import { primaryDatabaseCandidates } from "../resources/primary-database";
import type { DatabaseInfo, Organization, OrganizationPlan, Plan, GetProjectResult, Region } from "./types";

export type { DatabaseInfo, Organization, OrganizationPlan, Plan, PlanLimits, GetProjectResult, Region } from "./types";

/** Each field may be an Output or a Promise in the `…Output` forms. */
export type InputsOf<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** Like Pulumi's InvokeOptions: whose key and URL a lookup calls the API with. */
export interface LookupOptions {
  /** An explicit provider: its `apiKey` and `baseUrl` (then the environment), never the stack's `pgbeam:` config. */
  provider?: Provider;
}

/**
 * A client for the stack config (decrypted secrets included) or the explicit provider's, read at call time. The
 * HTTP client is loaded on first use: programs that look nothing up do not pay its ~55 ms load at every preview and up.
 */
async function programClient(lookup: string, options: LookupOptions | undefined): Promise<PgBeamClient> {
  const { PgBeamClient } = require("../client/client") as typeof import("../client/client");
  const config: ConfigSource = options?.provider
    ? await providerConfig(lookup, options.provider)
    : {
        get: (key) => pulumi.runtime.getConfig(key),
        settingOf: (key) => `\`pgbeam:${key}\` (stack config: \`pulumi config set pgbeam:${key} …\`)`,
      };
  return new PgBeamClient(resolveClientOptions(config, process.env));
}

async function providerConfig(lookup: string, provider: Provider): Promise<ConfigSource> {
  const configuration = configurationOf(provider);
  // Every Output has `isKnown` at runtime (not in its typings); awaiting an unknown one would never settle.
  if (!(await (configuration as unknown as { isKnown: Promise<boolean> }).isKnown)) {
    fail(lookup, "the provider's configuration is not known in this preview (it comes from another resource): use the …Output form");
  }
  const values = await new Promise<Record<string, unknown>>((resolve) => configuration.apply(resolve));
  return {
    get: (key) => (values[key] === undefined || values[key] === null ? undefined : String(values[key])),
    settingOf: (key) => `the \`${key}\` argument of the pgbeam.Provider given as \`provider\``,
  };
}

/**
 * An `…Output` form: runs once the arguments and the provider's configuration are known (else stays unknown). Only
 * the configuration's known-ness is waited on: the result is not made secret by the provider's key.
 */
function lookupOutput<A, R>(
  args: pulumi.Input<A> | undefined,
  options: LookupOptions | undefined,
  run: (resolved: A) => Promise<R>,
): pulumi.Output<R> {
  const configuration = options?.provider ? pulumi.unsecret(configurationOf(options.provider)).apply(() => true) : pulumi.output(true);
  return pulumi.all([pulumi.output(args as A), configuration]).apply(([resolved]) => run(resolved as A));
}

/** `cause`: the API error this explains, kept for code that inspects it (status, code). */
function fail(lookup: string, message: string, cause?: unknown): never {
  throw new Error(`pgbeam.${lookup}: ${message}`, cause === undefined ? undefined : { cause });
}

function requireString(lookup: string, field: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") fail(lookup, `${field} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

/** The one item named `name`; says what exists when there is none, and refuses to guess between several. */
function byName<T extends { name: string; id: string }>(lookup: string, items: T[], name: string, kind: string, scope = ""): T {
  const found = items.filter((item) => item.name === name);
  if (found.length === 1) return found[0];
  if (found.length > 1)
    fail(lookup, `${found.length} ${kind}s${scope} are named "${name}" (${found.map((i) => i.id).join(", ")}): look it up by id`);
  fail(lookup, `no ${kind}${scope} is named "${name}" (found: ${items.map((i) => `"${i.name}"`).join(", ") || "none"})`);
}

/** A listing the API answers in one page under `key`, in the program's casing. */
async function listed<T>(lookup: string, options: LookupOptions | undefined, path: string, key: string): Promise<T[]> {
  const answer = await (await programClient(lookup, options)).get<Record<string, unknown[]>>(path);
  return answer[key].map((item) => fromApi(item) as unknown as T);
}

export interface GetRegionsResult {
  regions: Region[];
}

/** The data-plane regions PgBeam knows, with whether each takes new projects. */
export async function getRegions(options?: LookupOptions): Promise<GetRegionsResult> {
  return { regions: await listed<Region>("getRegions", options, "/v1/regions", "regions") };
}
export function getRegionsOutput(options?: LookupOptions): pulumi.Output<GetRegionsResult> {
  return lookupOutput(undefined, options, () => getRegions(options));
}

export interface GetPlansResult {
  plans: Plan[];
}

/** The self-serve plans, with prices and limits. */
export async function getPlans(options?: LookupOptions): Promise<GetPlansResult> {
  return { plans: await listed<Plan>("getPlans", options, "/v1/plans", "plans") };
}
export function getPlansOutput(options?: LookupOptions): pulumi.Output<GetPlansResult> {
  return lookupOutput(undefined, options, () => getPlans(options));
}

export interface GetOrganizationsResult {
  organizations: Organization[];
}

/** The organizations the configured API key can access. */
export async function getOrganizations(options?: LookupOptions): Promise<GetOrganizationsResult> {
  return { organizations: await listed<Organization>("getOrganizations", options, "/v1/organizations", "organizations") };
}
export function getOrganizationsOutput(options?: LookupOptions): pulumi.Output<GetOrganizationsResult> {
  return lookupOutput(undefined, options, () => getOrganizations(options));
}

/** Exactly one of `id` and `name`. */
export interface GetOrganizationArgs {
  id?: string;
  name?: string;
}

/** One organization the key can access, by id or by exact name. */
export async function getOrganization(args: GetOrganizationArgs, options?: LookupOptions): Promise<Organization> {
  const lookup = "getOrganization";
  if ((args.id === undefined) === (args.name === undefined)) fail(lookup, "give exactly one of id and name");
  const id = args.id === undefined ? undefined : requireString(lookup, "id", args.id);
  const name = args.name === undefined ? undefined : requireString(lookup, "name", args.name);
  const { organizations } = await getOrganizations(options);
  if (name !== undefined) return byName(lookup, organizations, name, "organization");
  return (
    organizations.find((organization) => organization.id === id) ??
    fail(lookup, `organization ${id} does not exist or the API key cannot access it`)
  );
}
export function getOrganizationOutput(args: InputsOf<GetOrganizationArgs>, options?: LookupOptions): pulumi.Output<Organization> {
  return lookupOutput(args as pulumi.Input<GetOrganizationArgs>, options, (resolved) => getOrganization(resolved, options));
}

export interface GetOrganizationPlanArgs {
  orgId: string;
}

/** An organization's plan, billing state, spend limit and limits. */
export async function getOrganizationPlan(args: GetOrganizationPlanArgs, options?: LookupOptions): Promise<OrganizationPlan> {
  const orgId = requireString("getOrganizationPlan", "orgId", args.orgId);
  return fromApi(
    await (await programClient("getOrganizationPlan", options)).get(`/v1/organizations/${segment(orgId)}/plan`),
  ) as unknown as OrganizationPlan;
}
export function getOrganizationPlanOutput(
  args: InputsOf<GetOrganizationPlanArgs>,
  options?: LookupOptions,
): pulumi.Output<OrganizationPlan> {
  return lookupOutput(args as pulumi.Input<GetOrganizationPlanArgs>, options, (resolved) => getOrganizationPlan(resolved, options));
}

/** `id`, or `orgId` and `name` (project names are unique within an organization). */
export interface GetProjectArgs {
  id?: string;
  orgId?: string;
  name?: string;
}

/** An existing project, by id or by name within an organization, with its primary database. */
export async function getProject(args: GetProjectArgs, options?: LookupOptions): Promise<GetProjectResult> {
  const lookup = "getProject";
  const byId = args.id !== undefined;
  if (byId === (args.orgId !== undefined || args.name !== undefined)) fail(lookup, "give either id, or orgId and name");
  const client = await programClient(lookup, options);
  let project: GetProjectResult;
  if (byId) {
    const id = requireString(lookup, "id", args.id);
    const found = await client.get(`/v1/projects/${segment(id)}`).catch((error: unknown) => {
      if (isNotFound(error)) fail(lookup, `project ${id} does not exist or the API key cannot access it`, error);
      throw error;
    });
    project = fromApi(found) as unknown as GetProjectResult;
  } else {
    const orgId = requireString(lookup, "orgId", args.orgId);
    const name = requireString(lookup, "name", args.name);
    const projects = (await client.listAll<unknown>("/v1/projects", "projects", { org_id: orgId })).map(
      (p) => fromApi(p) as unknown as GetProjectResult,
    );
    project = byName(lookup, projects, name, "project", ` in organization ${orgId}`);
  }
  const [primary] = primaryDatabaseCandidates(await client.listAll<Props>(`/v1/projects/${segment(project.id)}/databases`, "databases"));
  return primary ? { ...project, primaryDatabase: fromApi(primary) as unknown as DatabaseInfo } : project;
}
export function getProjectOutput(args: InputsOf<GetProjectArgs>, options?: LookupOptions): pulumi.Output<GetProjectResult> {
  return lookupOutput(args as pulumi.Input<GetProjectArgs>, options, (resolved) => getProject(resolved, options));
}
