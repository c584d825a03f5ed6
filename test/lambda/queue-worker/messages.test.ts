import { chunkFollowers, InvalidMessageError, MAX_FOLLOWERS_PER_MESSAGE, parseWorkMessage } from '../../../lambda/queue-worker/messages';

const fanout = { type: 'feed.fanout', version: 1, photoId: '9007199254740993', authorId: '7', createdAt: '2026-11-25T21:00:00.000Z', followerIds: ['1', '2'] };

describe('parseWorkMessage', () => {
  test('accepts a feed.fanout message and keeps 64-bit IDs as strings', () => {
    expect(parseWorkMessage(JSON.stringify(fanout))).toEqual(fanout);
  });

  test('accepts a feed.retract message', () => {
    expect(parseWorkMessage(JSON.stringify({ type: 'feed.retract', version: 1, photoId: '5', followerIds: [] }))).toEqual({ type: 'feed.retract', version: 1, photoId: '5', followerIds: [] });
  });

  test.each([
    ['not JSON', '{', 'body is not JSON'],
    ['an array', '[]', 'not a JSON object'],
    ['an unknown version', JSON.stringify({ ...fanout, version: 2 }), 'unsupported version 2'],
    ['an unknown type', JSON.stringify({ ...fanout, type: 'photo.resize' }), 'unknown type "photo.resize"'],
    ['a numeric photo ID', JSON.stringify({ ...fanout, photoId: 5 }), 'photoId must be a decimal ID string'],
    ['an ID with a leading zero', JSON.stringify({ ...fanout, authorId: '07' }), 'authorId'],
    ['a bad timestamp', JSON.stringify({ ...fanout, createdAt: 'yesterday' }), 'createdAt'],
    ['a follower that is not an ID', JSON.stringify({ ...fanout, followerIds: ['1', 'x'] }), 'followerIds'],
    ['too many followers', JSON.stringify({ ...fanout, followerIds: Array.from({ length: MAX_FOLLOWERS_PER_MESSAGE + 1 }, (_, i) => String(i + 1)) }), 'at most 1000'],
  ])('rejects %s with InvalidMessageError', (_name, body, message) => {
    expect(() => parseWorkMessage(body)).toThrow(InvalidMessageError);
    expect(() => parseWorkMessage(body)).toThrow(message);
  });
});

describe('chunkFollowers', () => {
  test('splits a long follower list into message-sized chunks, keeping every ID once', () => {
    const ids = Array.from({ length: 2500 }, (_, i) => String(i + 1));
    const chunks = chunkFollowers(ids);
    expect(chunks.map((c) => c.length)).toEqual([1000, 1000, 500]);
    expect(chunks.flat()).toEqual(ids);
  });
});
