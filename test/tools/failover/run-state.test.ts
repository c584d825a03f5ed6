import { parseRunState, type RunState } from '../../../tools/failover/run-state';

const state: RunState = {
  to: 'region-b',
  from: 'region-a',
  epoch: 2,
  startedAt: '2026-12-05T03:00:00.000Z',
  planned: false,
  lag: [{ name: 'primary-0', replica: '127.0.0.1:5433', checkedAt: '2026-12-05T03:00:00.000Z', inRecovery: true, streaming: false, homeProblem: 'ECONNREFUSED', lastReplayAt: '2026-12-05T02:59:58.500Z' }],
  fenced: [],
  promoting: ['primary-0'],
  configWritten: [],
};

describe('the failover run state', () => {
  test('reads back what the tool wrote', () => {
    expect(parseRunState(JSON.stringify(state))).toEqual(state);
    expect(parseRunState(JSON.stringify({ ...state, doneAt: '2026-12-05T03:01:00.000Z' })).doneAt).toBe('2026-12-05T03:01:00.000Z');
  });

  test.each([
    ['not JSON', '{', 'the failover run state is not valid JSON'],
    ['an array', '[]', 'the failover run state must be a JSON object'],
    ['no epoch', JSON.stringify({ ...state, epoch: undefined }), 'the failover run state has a bad epoch'],
    ['a fractional epoch', JSON.stringify({ ...state, epoch: 2.5 }), 'the failover run state has a bad epoch'],
    ['promoting not a list of names', JSON.stringify({ ...state, promoting: [1] }), 'the failover run state has a bad promoting'],
    ['a lag entry without its replica', JSON.stringify({ ...state, lag: [{ name: 'primary-0' }] }), 'the failover run state has a bad lag'],
  ])('refuses %s with one line naming the field', (_what, json, message) => {
    expect(() => parseRunState(json)).toThrow(message);
  });
});
