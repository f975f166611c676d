import type { PgBeamClient } from "../client/client";
import { diagnosticsFor } from "./diagnostics";

/**
 * Notes attached to a resource for whoever reviews its preview, in a form review tools read back (through
 * provider/review.ts): which secret inputs change, since the preview masks their values on both sides and nothing
 * else can tell; and which PgBeam API calls planning the change made, since that is what a preview costs.
 * Info, not warnings: they describe the change, they do not question it. Only for a resource of the program (with
 * a URN): an adoption's internal diff is no change to review.
 */
const SECRET_CHANGES = "secret inputs that change (values not shown): ";
const PLANNING_CALLS = "PgBeam API calls made to plan this change (reads and what-if checks, nothing changed): ";

const listed = (prefix: string, message: string): string[] | undefined => {
  const at = message.indexOf(prefix);
  return at < 0
    ? undefined
    : message
        .slice(at + prefix.length)
        .trim()
        .split(", ")
        .map((item) => item.replace(/^`|`$/g, ""));
};

export const secretChangesIn = (message: string): string[] | undefined => listed(SECRET_CHANGES, message);
export const planningCallsIn = (message: string): string[] | undefined => listed(PLANNING_CALLS, message);

export function noteSecretChanges(urn: unknown, paths: string[]): Promise<void> {
  return paths.length === 0 || typeof urn !== "string"
    ? Promise.resolve()
    : diagnosticsFor(urn).info(`${SECRET_CHANGES}${paths.map((path) => `\`${path}\``).join(", ")}`);
}

/**
 * Runs a planning step (check's or diff's verification) with a client that records its calls, then notes them on
 * the resource, also when the step fails.
 */
export async function countingPlanningCalls<T>(
  urn: unknown,
  client: () => PgBeamClient,
  step: (client: () => PgBeamClient) => Promise<T>,
): Promise<T> {
  const calls: string[] = [];
  let recording: PgBeamClient | undefined;
  const recorded = () => (recording ??= client().recordingRequests((method, path) => calls.push(`${method} ${path}`)));
  try {
    return await step(recorded);
  } finally {
    if (calls.length > 0 && typeof urn === "string") await diagnosticsFor(urn).info(`${PLANNING_CALLS}${calls.join(", ")}`);
  }
}
