import { z } from "zod";
import * as api from "../api/schemas.generated";
import { type ApiAnswer, defineSpec } from "../engine/spec";
import type { Props } from "../engine/values";
import { scaleAndAbove } from "./plan";
import { segment } from "./paths";

export const SelfHostEnrollmentInputs = api.CreateSelfHostEnrollmentRequest.extend({
  orgId: z.string().min(1),
  /** Any value; changing it rotates the token in place (same enrollment id, new token). */
  rotationTrigger: z.union([z.string(), z.number()]).optional(),
});

const enrollments = (values: Props) => `/v1/organizations/${segment(values.orgId)}/self-host-enrollments`;
const itemPath = (outputs: Props, id: string) => `${enrollments(outputs)}/${segment(id)}`;
/** Create and rotate are the only answers that carry the token: it is kept from then on. */
const withToken = (response: Props): ApiAnswer => ({ object: response.enrollment as Props, once: { token: response.token } });

/** No update in the API: an edit replaces (new token); `rotationTrigger` rotates in place; delete revokes. */
export const selfHostEnrollmentSpec = defineSpec({
  name: "SelfHostEnrollment",
  inputs: SelfHostEnrollmentInputs,
  outputs: ["token", "createdBy", "lastSeenAt", "revokedAt"],
  fields: { orgId: ["path"], rotationTrigger: ["local"], token: ["oneTime", "secret"] },
  review: {
    replaceInvalidates: "a new enrollment and token: self-hosted proxies started with the old token (GRPC_AUTH_TOKEN) can no longer join",
    rotationInvalidates: "a new token under the same enrollment: self-hosted proxies started with the old GRPC_AUTH_TOKEN can no longer join",
  },
  collectionPath: enrollments,
  itemPath,
  create: { parse: withToken },
  read: { list: { itemsKey: "enrollments", paged: false }, isGone: (enrollment) => enrollment.revoked_at != null },
  action: { trigger: "rotationTrigger", path: (outputs, id) => `${itemPath(outputs, id)}/rotate`, parse: withToken },
  planRules: [scaleAndAbove("self-hosted proxies")],
});
