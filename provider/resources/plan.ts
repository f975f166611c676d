import type { Entitlement, Reader } from "../engine/plan-rules";
import type { Props } from "../engine/values";

/** Custom domains and self-hosting (SPEC `createCustomDomain`, `CreateProjectRequest.self_hosted`). */
export const scaleAndAbove = (what: string, appliesTo?: Entitlement["appliesTo"]): Entitlement => ({
  what,
  plans: ["scale", "enterprise"],
  appliesTo,
});

/** The organization's projects (the API lists live ones only). */
export const projectsOf = (read: Reader, orgId: string): Promise<Props[]> => read.list("/v1/projects", "projects", { org_id: orgId });
