import { resourceClass } from "../engine/dynamic";
import { selfHostEnrollmentSpec } from "../resources/self-host-enrollment";
import type { SelfHostEnrollmentInput, SelfHostEnrollmentInputValues } from "./inputs.generated";
import type { ResourceArgs } from "./types";

export type SelfHostEnrollmentArgs = ResourceArgs<SelfHostEnrollmentInput>;
/** Lets a self-hosted PgBeam proxy join the organization; `token` (secret, shown once) is its GRPC_AUTH_TOKEN. */
export const SelfHostEnrollment = resourceClass<
  SelfHostEnrollmentArgs,
  SelfHostEnrollmentInputValues & { token: string; createdBy: string | null; lastSeenAt: string | null; revokedAt: string | null; createdAt: string },
  "orgId"
>(selfHostEnrollmentSpec);
export type SelfHostEnrollment = InstanceType<typeof SelfHostEnrollment>;
