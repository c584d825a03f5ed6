import { editDistance } from '../../contracts/cli';

describe('editDistance (the near-miss suggestions of every command)', () => {
  test.each([
    ['', '', 0],
    ['stage', 'stage', 0],
    ['stage', 'stag', 1],
    ['stage', 'satge', 2],
    ['100k', '100K', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('%s / %s: %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});
