import { badRequest } from './http-error';
import { parseId } from '../../../contracts/ids';

/** A path ID past the schema's shape check: also within 63 bits. Returns the canonical decimal string. */
export function requireId(value: string): string {
  const id = parseId(value);
  if (id === undefined) throw badRequest('invalid_id', 'id must be a positive 64-bit integer');
  return id.toString();
}
