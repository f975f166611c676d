/** Error codes of the spec's `Error` envelope (DOCS `api/response-conventions.mdx`). */
export type ErrorCode = "INVALID_INPUT" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "RATE_LIMITED" | "INTERNAL_ERROR";

export interface ErrorEnvelope {
  error: { code: string; message: string };
}

/** Thrown by handlers; the server turns it into the `{"error": {code, message}}` envelope with `status`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const invalidInput = (message: string): ApiError => new ApiError(400, "INVALID_INPUT", message);
export const notFound = (message: string): ApiError => new ApiError(404, "NOT_FOUND", message);
export const forbidden = (message: string): ApiError => new ApiError(403, "FORBIDDEN", message);
export const conflict = (message: string): ApiError => new ApiError(409, "CONFLICT", message);

/**
 * The code an injected fault answers with. The docs give 502/503/504 no code, but the spec's envelope requires one,
 * so every 5xx says INTERNAL_ERROR.
 */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return "UNAUTHORIZED";
    case 403:
      return "FORBIDDEN";
    case 404:
      return "NOT_FOUND";
    case 409:
      return "CONFLICT";
    case 429:
      return "RATE_LIMITED";
    default:
      return status >= 500 ? "INTERNAL_ERROR" : "INVALID_INPUT";
  }
}

export function envelope(code: string, message: string): ErrorEnvelope {
  return { error: { code, message } };
}
