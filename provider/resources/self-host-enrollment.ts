import { z } from "zod";
import * as api from "../api/schemas.generated";
import { defineSpec } from "../engine/spec";
import { fromApi, rotation } from "./from-api";
import { scaleAndAbove } from "./plan";

const rest = fromApi("SelfHostEnrollment");
const rotates = rotation(rest, "the token (same enrollment id, new token)");

export const SelfHostEnrollmentInputs = api.CreateSelfHostEnrollmentRequest.extend({
  orgId: z.string().min(1),
  ...rotates.input,
});

/** No update in the spec: an edit replaces (new token); `rotationTrigger` rotates in place; delete revokes. */
export const selfHostEnrollmentSpec = defineSpec({
  ...rest,
  inputs: SelfHostEnrollmentInputs,
  fields: { ...rest.fields, ...rotates.fields },
  review: {
    replaceInvalidates: "a new enrollment and token: self-hosted proxies started with the old token (GRPC_AUTH_TOKEN) can no longer join",
    rotationInvalidates:
      "a new token under the same enrollment: self-hosted proxies started with the old GRPC_AUTH_TOKEN can no longer join",
  },
  action: rotates.action,
  planRules: [scaleAndAbove("self-hosted proxies")],
});
