/** One thing the template check found in one stack's template. */
export interface TemplateFinding {
  readonly stack: string;
  /** Where in the template, dotted: `Resources.Db.Properties.DBInstanceClass`, `Outputs.Url.Value`. */
  readonly path: string;
  /** The validator's rule ID (`E3012`, `W3030`, ...) or one of ours (`read-only-property`, `intrinsic-position`, ...). */
  readonly rule: string;
  /** Errors fail the check; warnings are printed only. */
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** Dotted path of a value inside a template (array indices as numbers, like the validator's `propertyPath`). */
export function dotted(path: readonly (string | number)[]): string {
  return path.join('.');
}
