/** pulumi-pgbeam: PgBeam resources for Pulumi programs. */
export { Project, type ProjectArgs } from "./resources/project";
export { Database, type DatabaseArgs } from "./resources/database";
export { PgBeamApiError, isPgBeamApiError } from "./client/errors";
