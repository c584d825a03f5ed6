import { MEDIA_PREFIX, originalKey, photoIdOfOriginal, thumbnailKey, thumbnailKeyFor } from '../../contracts/media-keys';

describe('media keys', () => {
  test("a photo's original and thumbnail live under media/", () => {
    expect(originalKey('42', '4242')).toBe('media/originals/42/4242');
    expect(thumbnailKey('42', '4242')).toBe('media/thumbnails/42/4242');
    expect(originalKey('42', '4242').startsWith(MEDIA_PREFIX)).toBe(true);
  });

  test("the thumbnail function derives the API's thumbnail key from the original's", () => {
    expect(thumbnailKeyFor(originalKey('42', '4242'))).toBe(thumbnailKey('42', '4242'));
    expect(thumbnailKeyFor(thumbnailKey('42', '4242'))).toBeUndefined();
  });

  test("the photo ID is read back from an original's key, and only from one the API writes", () => {
    expect(photoIdOfOriginal(originalKey('42', '4242'))).toBe('4242');
    expect(photoIdOfOriginal(thumbnailKey('42', '4242'))).toBeUndefined();
    expect(photoIdOfOriginal('media/originals/42/not-an-id')).toBeUndefined();
    expect(photoIdOfOriginal('media/originals/4242')).toBeUndefined();
  });
});
