/**
 * Logical IDs a template value refers to through `Ref`, `Fn::GetAtt` or
 * `Fn::Sub` (`${Id}` / `${Id.Attr}`). Pseudo parameters (`AWS::Region`) are
 * left out; the caller filters by the resources its template holds.
 */
export function referencedIds(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, into);
    return into;
  }
  if (value === null || typeof value !== 'object') return into;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0];
    if (key === 'Ref' && typeof arg === 'string') return addId(into, arg);
    if (key === 'Fn::GetAtt') {
      const target = Array.isArray(arg) ? arg[0] : typeof arg === 'string' ? arg.split('.')[0] : undefined;
      if (typeof target === 'string') addId(into, target);
      return into;
    }
    if (key === 'Fn::Sub') {
      const [text, vars] = Array.isArray(arg) ? arg : [arg, undefined];
      const local = new Set(vars && typeof vars === 'object' ? Object.keys(vars) : []);
      if (typeof text === 'string') {
        for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const id = match[1].split('.')[0];
          if (!local.has(id)) addId(into, id);
        }
      }
      if (vars) referencedIds(vars, into);
      return into;
    }
  }
  for (const [, nested] of entries) referencedIds(nested, into);
  return into;
}

function addId(into: Set<string>, id: string): Set<string> {
  if (!id.startsWith('AWS::')) into.add(id);
  return into;
}

/** Export names a template imports with `Fn::ImportValue` (only literal names can be known offline). */
export function importedExportNames(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) importedExportNames(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, nested] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'Fn::ImportValue' && typeof nested === 'string') into.add(nested);
      else importedExportNames(nested, into);
    }
  }
  return into;
}
