import { InvalidMessageError, parseJobMessage, photoReady } from '../../contracts/job-messages';

describe('parseJobMessage', () => {
  test.each([
    [{ type: 'feed.fanout', version: 1, photoId: '12', authorId: '34' }],
    [{ type: 'feed.retract', version: 1, photoId: '12', authorId: '34' }],
    [{ type: 'feed.backfill', version: 1, followerId: '5', followeeId: '6' }],
    [photoReady('9223372036854775807')],
  ])('accepts %j and keeps only its known fields', (message) => {
    expect(parseJobMessage(JSON.stringify({ ...message, extra: 'ignored' }))).toEqual(message);
  });

  test.each([
    ['not json', 'body is not JSON'],
    ['[1]', 'body is not a JSON object'],
    ['{"type":"photo.ready","version":2,"photoId":"1"}', 'unsupported version 2'],
    ['{"type":"feed.explode","version":1}', 'unknown type "feed.explode"'],
    ['{"type":"photo.ready","version":1,"photoId":1}', 'photoId must be a decimal ID string'],
    ['{"type":"photo.ready","version":1,"photoId":"01"}', 'photoId must be a decimal ID string'],
    ['{"type":"photo.ready","version":1,"photoId":"9223372036854775808"}', 'photoId must be a decimal ID string'],
    ['{"type":"feed.fanout","version":1,"photoId":"1"}', 'authorId must be a decimal ID string'],
    ['{"type":"feed.backfill","version":1,"followerId":"1","followeeId":"x"}', 'followeeId must be a decimal ID string'],
  ])('refuses %s: %s', (body, message) => {
    expect(() => parseJobMessage(body)).toThrow(new InvalidMessageError(message));
  });
});
