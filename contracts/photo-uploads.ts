/**
 * What a photo upload may be. The API enforces it (the `POST /api/photos`
 * schema, api/src/routes/schemas.ts), the web client checks a chosen file
 * against it before sending anything (web/src/photo-file.ts), and the stage
 * specs give it to the CDN's image resizing from 1k (`uploads.maxUploadBytes`).
 * Imports nothing.
 *
 * Raising MAX_UPLOAD_MIB also needs a new migration: the `photos.size`
 * column's CHECK (migration 1) holds the limit the database was created with,
 * and migrations never change once released.
 */

/** The largest photo, in MiB (what people are told: "up to 10 MB"). */
export const MAX_UPLOAD_MIB = 10;

/** The largest photo, in bytes. */
export const MAX_UPLOAD_BYTES = MAX_UPLOAD_MIB * 1024 * 1024;

/** The image types a photo may have (the upload route's only body parsers). */
export const PHOTO_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

export type PhotoContentType = (typeof PHOTO_CONTENT_TYPES)[number];

/** The longest caption, in UTF-16 code units (JSON Schema `maxLength`, HTML `maxlength`). */
export const MAX_CAPTION_CHARS = 2200;
