import { resourceClass } from "../engine/dynamic";
import { customDomainSpec } from "../resources/custom-domain";
import type { CustomDomainInput, CustomDomainOutputs } from "./types.generated";
import type { ResourceArgs } from "./types";

export type { CustomDomainOutputs };
export type CustomDomainArgs = ResourceArgs<CustomDomainInput>;
/**
 * A custom hostname for a project's proxy (Scale plan and above). `dnsInstructions` holds the records to create
 * (e.g. with a DNS provider's resources); `verify: true` waits, bounded, until PgBeam sees them.
 */
export const CustomDomain = resourceClass<CustomDomainArgs, CustomDomainOutputs, "projectId">(customDomainSpec);
export type CustomDomain = InstanceType<typeof CustomDomain>;
