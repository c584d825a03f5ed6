import { MAX_UPLOAD_BYTES, MAX_UPLOAD_MIB, PHOTO_CONTENT_TYPES } from '../../contracts/photo-uploads';

/** Checks a chosen file before anything is sent; returns a readable problem or undefined. */
export function photoFileProblem(file: { readonly type: string; readonly size: number } | undefined): string | undefined {
  if (!file) return 'Choose a photo to upload.';
  if (!(PHOTO_CONTENT_TYPES as readonly string[]).includes(file.type)) return 'Choose a JPEG, PNG or WebP image.';
  if (file.size < 1) return 'That file is empty.';
  if (file.size > MAX_UPLOAD_BYTES) return `That photo is larger than ${MAX_UPLOAD_MIB} MB.`;
  return undefined;
}
