import { resourceClass } from "../engine/dynamic";
import { selfHostEnrollmentSpec } from "../resources/self-host-enrollment";
import type { SelfHostEnrollmentInput, SelfHostEnrollmentOutputs } from "./types.generated";
import type { ResourceArgs } from "./types";

export type { SelfHostEnrollmentOutputs };
export type SelfHostEnrollmentArgs = ResourceArgs<SelfHostEnrollmentInput>;
/** Lets a self-hosted PgBeam proxy join the organization; `token` (secret, shown once) is its GRPC_AUTH_TOKEN. */
export const SelfHostEnrollment = resourceClass<SelfHostEnrollmentArgs, SelfHostEnrollmentOutputs, "orgId">(selfHostEnrollmentSpec);
export type SelfHostEnrollment = InstanceType<typeof SelfHostEnrollment>;
