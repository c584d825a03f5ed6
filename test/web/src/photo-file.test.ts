import { MAX_UPLOAD_BYTES, MAX_UPLOAD_MIB, PHOTO_CONTENT_TYPES } from '../../../contracts/photo-uploads';
import { photoFileProblem } from '../../../web/src/photo-file';

describe('photoFileProblem', () => {
  test.each([
    [undefined, 'Choose a photo to upload.'],
    [{ type: 'image/gif', size: 10 }, 'Choose a JPEG, PNG or WebP image.'],
    [{ type: 'image/png', size: 0 }, 'That file is empty.'],
    [{ type: 'image/jpeg', size: MAX_UPLOAD_BYTES + 1 }, `That photo is larger than ${MAX_UPLOAD_MIB} MB.`],
  ])('rejects %p before sending anything', (file, problem) => expect(photoFileProblem(file)).toBe(problem));

  test.each([...PHOTO_CONTENT_TYPES])('accepts %s up to the upload limit', (type) => {
    expect(photoFileProblem({ type, size: MAX_UPLOAD_BYTES })).toBeUndefined();
  });
});
