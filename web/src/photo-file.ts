import { ACCEPTED_IMAGE_TYPES, MAX_PHOTO_BYTES } from './api/types';

/** Checks a chosen file before anything is sent; returns a readable problem or undefined. */
export function photoFileProblem(file: { readonly type: string; readonly size: number } | undefined): string | undefined {
  if (!file) return 'Choose a photo to upload.';
  if (!(ACCEPTED_IMAGE_TYPES as readonly string[]).includes(file.type)) return 'Choose a JPEG, PNG or WebP image.';
  if (file.size < 1) return 'That file is empty.';
  if (file.size > MAX_PHOTO_BYTES) return 'That photo is larger than 10 MB.';
  return undefined;
}
