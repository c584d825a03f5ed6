import { isSameOrigin, uploadRequest } from '../../../../web/src/api/upload';

const ORIGIN = 'https://app.example.com';
const file = new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' });

describe('uploadRequest', () => {
  test('a presigned S3 POST sends the fields then the file as multipart form data, without the session token', async () => {
    const { method, headers, body } = uploadRequest(
      { method: 'POST', url: 'https://bucket.s3.amazonaws.com/', fields: { key: 'media/1', Policy: 'p' } },
      file,
      ORIGIN,
      'secret-token',
    );
    expect(method).toBe('POST');
    expect(headers).toEqual({});
    expect(body).toBeInstanceOf(FormData);
    expect([...(body as FormData).keys()]).toEqual(['key', 'Policy', 'file']);
  });

  test('a PUT to the API sends raw bytes with the returned headers and the session token', () => {
    const { method, headers, body } = uploadRequest(
      { method: 'put', url: '/api/photos/7/content', headers: { 'content-type': 'image/png' } },
      file,
      ORIGIN,
      'secret-token',
    );
    expect(method).toBe('PUT');
    expect(body).toBe(file);
    expect(headers).toEqual({ 'content-type': 'image/png', authorization: 'Bearer secret-token' });
  });

  test('a PUT to another origin never carries the session token', () => {
    const { headers } = uploadRequest({ method: 'PUT', url: 'https://bucket.s3.amazonaws.com/x' }, file, ORIGIN, 'secret-token');
    expect(headers).toEqual({ 'content-type': 'image/png' });
  });
});

describe('isSameOrigin', () => {
  test.each([
    ['/api/photos/1/content', true],
    [`${ORIGIN}/api/x`, true],
    ['https://evil.example.com/api/x', false],
    ['//cdn.example.com/x', false],
  ])('%s → %s', (url, expected) => expect(isSameOrigin(url, ORIGIN)).toBe(expected));
});
