import { photoFileProblem } from '../../../web/src/photo-file';

describe('photoFileProblem', () => {
  test.each([
    [undefined, 'Choose a photo to upload.'],
    [{ type: 'image/gif', size: 10 }, 'Choose a JPEG, PNG or WebP image.'],
    [{ type: 'image/png', size: 0 }, 'That file is empty.'],
    [{ type: 'image/jpeg', size: 10_485_761 }, 'That photo is larger than 10 MB.'],
  ])('rejects %p before sending anything', (file, problem) => expect(photoFileProblem(file)).toBe(problem));

  test.each(['image/jpeg', 'image/png', 'image/webp'])('accepts %s up to 10 MiB', (type) => {
    expect(photoFileProblem({ type, size: 10_485_760 })).toBeUndefined();
  });
});
