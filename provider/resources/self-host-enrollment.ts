import { z } from "zod";
import * as api from "../api/schemas.generated";
import { defineSpec } from "../engine/spec";
import { fromApi } from "./from-api";
import { scaleAndAbove } from "./plan";

export const SelfHostEnrollmentInputs = api.CreateSelfHostEnrollmentRequest.extend({
  orgId: z.string().min(1),
  rotationTrigger: z
    .union([z.string(), z.number()])
    .optional()
    .describe("Any value; changing it rotates the token in place (same enrollment id, new token)."),
});

const rest = fromApi("SelfHostEnrollment");
/** Create and rotate are the only answers that carry the token (the spec's one-time output): kept from then on. */
const withToken = rest.create.parse!;

/** No update in the spec: an edit replaces (new token); `rotationTrigger` rotates in place; delete revokes. */
export const selfHostEnrollmentSpec = defineSpec({
  ...rest,
  inputs: SelfHostEnrollmentInputs,
  fields: { ...rest.fields, rotationTrigger: ["local"] },
  review: {
    replaceInvalidates: "a new enrollment and token: self-hosted proxies started with the old token (GRPC_AUTH_TOKEN) can no longer join",
    rotationInvalidates:
      "a new token under the same enrollment: self-hosted proxies started with the old GRPC_AUTH_TOKEN can no longer join",
  },
  read: { ...rest.read, isGone: (enrollment) => enrollment.revoked_at != null },
  action: { trigger: "rotationTrigger", path: (outputs, id) => `${rest.itemPath(outputs, id)}/rotate`, parse: withToken },
  planRules: [scaleAndAbove("self-hosted proxies")],
});
