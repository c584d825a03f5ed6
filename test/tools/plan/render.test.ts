import { humanCount, usd } from '../../../tools/plan/render';

describe('plan rendering', () => {
  test('counts print with two significant figures', () => {
    expect(humanCount(1234567)).toBe('1.2M');
    expect(humanCount(999)).toBe('1k');
    expect(humanCount(12)).toBe('12');
    expect(humanCount(0.5)).toBe('0.5');
    expect(humanCount(88_000)).toBe('88k');
    expect(humanCount(Number.POSITIVE_INFINITY)).toBe('∞');
  });

  test('dollars print whole above 100 and with cents below', () => {
    expect(usd(1234.4)).toBe('$1,234');
    expect(usd(22.531)).toBe('$22.53');
  });
});
