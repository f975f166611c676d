import { resourceClass } from "../engine/dynamic";
import { customDomainSpec } from "../resources/custom-domain";
import type { CustomDomainInput, CustomDomainInputValues } from "./inputs.generated";
import type { ObjectTimestamps, ResourceArgs } from "./types";

type Dns = { cnameHost?: string; cnameTarget?: string; txtHost?: string; txtValue?: string; acmeCnameHost?: string; acmeCnameTarget?: string };
export type CustomDomainArgs = ResourceArgs<CustomDomainInput>;
/**
 * A custom hostname for a project's proxy (Scale plan and above). `dnsInstructions` holds the records to create
 * (e.g. with a DNS provider's resources); `verify: true` waits, bounded, until PgBeam sees them.
 */
export const CustomDomain = resourceClass<
  CustomDomainArgs,
  CustomDomainInputValues & {
    verified: boolean;
    verifiedAt: string | null;
    tlsCertExpiry: string | null;
    dnsVerificationToken: string;
    dnsInstructions: Dns;
  } & ObjectTimestamps,
  "projectId"
>(customDomainSpec);
export type CustomDomain = InstanceType<typeof CustomDomain>;
