import { ApiError, toApiError } from './api-error';
import type { UploadTarget } from './types';

export interface UploadOptions {
  /** Session token; sent only when the target is this origin (the API's own upload route), never to S3. */
  readonly token?: string;
  /** Called with the fraction sent, 0..1. */
  readonly onProgress?: (fraction: number) => void;
  /** Lets the caller cancel. */
  readonly signal?: AbortSignal;
}

/** True when `url` points at the page's own origin (relative URLs included). */
export function isSameOrigin(url: string, origin: string): boolean {
  return new URL(url, origin).origin === origin;
}

/** Builds the body and headers for an upload target: multipart form for a presigned POST, raw bytes otherwise. */
export function uploadRequest(target: UploadTarget, file: Blob, origin: string, token?: string) {
  const method = target.method.toUpperCase();
  const headers: Record<string, string> = { ...(target.headers ?? {}) };
  let body: Blob | FormData = file;
  if (method === 'POST' && target.fields) {
    const form = new FormData();
    for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
    // S3 ignores every field after `file`, so the file goes last.
    form.append('file', file);
    body = form;
  } else if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type') && file.type) {
    headers['content-type'] = file.type;
  }
  const hasAuth = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
  if (token && !hasAuth && isSameOrigin(target.url, origin)) headers.authorization = `Bearer ${token}`;
  return { method, headers, body };
}

/**
 * Sends a photo's bytes where `POST /api/photos` said to. XMLHttpRequest
 * rather than fetch because only XHR reports upload progress.
 */
export function uploadPhotoBytes(target: UploadTarget, file: Blob, options: UploadOptions = {}): Promise<void> {
  const { method, headers, body } = uploadRequest(target, file, location.origin, options.token);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, target.url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) options.onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        options.onProgress?.(1);
        resolve();
      } else reject(toApiError(xhr.status, xhr.responseText, xhr.getResponseHeader('retry-after')));
    };
    xhr.onerror = () => reject(toApiError(0, ''));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'Upload cancelled.'));
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}
