/**
 * Errors of requests to the API server. Each one names the step (`get`, `apply`, `dry-run
 * apply`, `delete`, ...), the object id and what the server said: the HTTP status, the `reason`
 * of its `Status` body (`NotFound`, `Conflict`, `Invalid`, `Forbidden`, ...), its message and the
 * per-field causes, so callers can decide without parsing text.
 */
import { StepError } from '@kustodian/shared/errors';
import { isRecord } from './object.ts';

/** One cause of a `Status` (for `Invalid`: the field and what is wrong with it). */
export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

/** What the server answered, read from a `Status` body when there is one. */
export interface ServerStatus {
  httpStatus: number;
  reason: string;
  message: string;
  causes: StatusCause[];
}

/** Longest server message kept in an error, so one huge object cannot flood a log line. */
const maxMessageLength = 2000;

/** A request the API server refused or could not answer. */
export class KubeApiError extends StepError {
  /** HTTP status code; 0 when no response arrived. */
  readonly httpStatus: number;
  /** The `reason` of the `Status` body, or the HTTP status text. */
  readonly reason: string;
  /** The `message` of the `Status` body. */
  readonly serverMessage: string;
  readonly causes: readonly StatusCause[];
  /** The id of the object the request was about (or the path for non-object requests). */
  readonly objectId: string;

  constructor(step: string, objectId: string, status: ServerStatus, options?: { cause?: unknown }) {
    super(step, objectId, describe(status), options);
    this.name = 'KubeApiError';
    this.httpStatus = status.httpStatus;
    this.reason = status.reason;
    this.serverMessage = status.message;
    this.causes = status.causes;
    this.objectId = objectId;
  }
}

function describe(status: ServerStatus): string {
  const code = status.httpStatus === 0 ? 'no response' : String(status.httpStatus);
  const message =
    status.message.length > maxMessageLength
      ? `${status.message.slice(0, maxMessageLength)}...`
      : status.message;
  return `${status.reason} (${code}): ${message}`;
}

/** Reads a response body into a {@link ServerStatus}; falls back to the raw text. */
export function readStatus(httpStatus: number, statusText: string, body: string): ServerStatus {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (isRecord(parsed) && parsed.kind === 'Status') {
    const details = isRecord(parsed.details) ? parsed.details : {};
    const causes = Array.isArray(details.causes) ? details.causes.filter(isRecord) : [];
    return {
      httpStatus,
      reason: text(parsed.reason) || statusText,
      message: text(parsed.message) || statusText,
      causes: causes.map((cause) => ({
        reason: text(cause.reason),
        message: text(cause.message),
        field: text(cause.field),
      })),
    };
  }
  return { httpStatus, reason: statusText, message: body.trim() || statusText, causes: [] };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Whether a thrown value is a {@link KubeApiError} with one of the given HTTP statuses. */
export function hasHttpStatus(thrown: unknown, ...statuses: number[]): thrown is KubeApiError {
  return thrown instanceof KubeApiError && statuses.includes(thrown.httpStatus);
}

/** 404: the object (or its namespace, or its kind) does not exist. */
export function isNotFound(thrown: unknown): thrown is KubeApiError {
  return hasHttpStatus(thrown, 404);
}

/** 409: a conflict, such as a failed `uid` precondition or an existing object. */
export function isConflict(thrown: unknown): thrown is KubeApiError {
  return hasHttpStatus(thrown, 409);
}

/** 403: the caller (or the impersonated account) is not allowed to do this. */
export function isForbidden(thrown: unknown): thrown is KubeApiError {
  return hasHttpStatus(thrown, 403);
}

/** 422: the object is invalid. */
export function isInvalid(thrown: unknown): thrown is KubeApiError {
  return hasHttpStatus(thrown, 422);
}

/** 410: a watch's resourceVersion is too old; list again and watch from the new one. */
export function isGone(thrown: unknown): thrown is KubeApiError {
  return hasHttpStatus(thrown, 410);
}
