/**
 * An answer PVE 8.2 gives as an error: the message travels only in the HTTP reason phrase, the body
 * is {"data":null} plus "errors" for parameter checks.
 */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly errors?: Record<string, string>,
  ) {
    super(reason);
    this.name = "SimHttpError";
  }
}

export const notDefinedInSchema = "property is not defined in schema and the schema does not allow additional properties";

export function paramError(errors: Record<string, string>): SimHttpError {
  return new SimHttpError(400, "Parameter verification failed.", errors);
}

/** Refuses fields outside the endpoint's whitelist, like PVE's additionalProperties => 0. */
export function checkParams(params: Record<string, string>, allowed: readonly string[]): void {
  const errors: Record<string, string> = {};
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) errors[key] = notDefinedInSchema;
  }
  if (Object.keys(errors).length > 0) throw paramError(errors);
}

export function requireParam(params: Record<string, string>, name: string): string {
  const value = params[name];
  if (value === undefined || value === "") throw paramError({ [name]: "property is missing and it is not optional" });
  return value;
}

export function boolParam(params: Record<string, string>, name: string): boolean | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (["1", "true", "on", "yes"].includes(value.toLowerCase())) return true;
  if (["0", "false", "off", "no"].includes(value.toLowerCase())) return false;
  throw paramError({ [name]: `type check ('boolean') failed - got '${value}'` });
}
