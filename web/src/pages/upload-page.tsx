import { useEffect, useRef, useState } from 'preact/hooks';
import { MAX_CAPTION_CHARS, MAX_UPLOAD_MIB, PHOTO_CONTENT_TYPES } from '../../../contracts/photo-uploads';
import { describeError } from '../api/api-error';
import { uploadPhotoBytes } from '../api/upload';
import { useApp } from '../app-context';
import { ErrorMessage } from '../components/error-message';
import { PageHeading } from '../components/page-heading';
import { usePageTitle } from '../hooks/use-page-title';
import { photoFileProblem } from '../photo-file';

/** Caption + file → `POST /api/photos`, then the bytes to the returned target with a progress bar. */
export function UploadPage() {
  const { api, session, forgetUser } = useApp();
  const [progress, setProgress] = useState<number>();
  const [error, setError] = useState<string>();
  const [preview, setPreview] = useState<string>();
  const abort = useRef<AbortController | undefined>(undefined);
  usePageTitle('Upload');

  useEffect(() => () => abort.current?.abort(), []);
  useEffect(() => () => {
    if (preview) URL.revokeObjectURL(preview);
  }, [preview]);

  function choose(event: Event) {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    setError(file ? photoFileProblem(file) : undefined);
    setPreview(file && !photoFileProblem(file) ? URL.createObjectURL(file) : undefined);
  }

  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const file = form.get('photo');
    const chosen = file instanceof File && file.size > 0 ? file : undefined;
    const problem = photoFileProblem(chosen);
    if (problem || !chosen || !session) return setError(problem);
    const caption = String(form.get('caption') ?? '');
    setError(undefined);
    setProgress(0);
    abort.current = new AbortController();
    let created: string | undefined;
    try {
      const { photo, upload } = await api.createPhoto(caption, chosen.type, chosen.size);
      created = photo.id;
      await uploadPhotoBytes(upload, chosen, { token: session.token, onProgress: setProgress, signal: abort.current.signal });
      forgetUser(session.userId);
      location.hash = `#/users/${session.userId}`;
    } catch (caught) {
      setError(describeError(caught));
      setProgress(undefined);
      // Best effort: a photo whose bytes never arrived must not linger as "processing".
      if (created) api.deletePhoto(created).catch(() => undefined);
    }
  }

  const uploading = progress !== undefined;
  return (
    <div class="narrow">
      <PageHeading>Upload a photo</PageHeading>
      <form class="stack" onSubmit={(event) => void submit(event)}>
        <label for="photo">{`Photo (JPEG, PNG or WebP, up to ${MAX_UPLOAD_MIB} MB)`}</label>
        <input id="photo" name="photo" type="file" accept={PHOTO_CONTENT_TYPES.join(',')} required onChange={choose} disabled={uploading} />
        {preview && <img class="preview" src={preview} alt="Preview of the chosen photo" width={300} height={300} />}
        <label for="caption">Caption</label>
        <textarea id="caption" name="caption" rows={3} maxLength={MAX_CAPTION_CHARS} disabled={uploading} />
        <ErrorMessage message={error} />
        {uploading && (
          <div class="progress">
            <label for="upload-progress">Uploading… {Math.round(progress * 100)}%</label>
            <progress id="upload-progress" max={1} value={progress} />
          </div>
        )}
        <button type="submit" class="primary-button" disabled={uploading}>
          {uploading ? 'Uploading…' : 'Upload'}
        </button>
      </form>
    </div>
  );
}
