import { Client, types } from 'pg';
import { isoFromTimestamptzText } from '../../../api/src/db/timestamptz-text';
import { startPostgres, type TestPostgres } from '../../support/postgres';

/**
 * The API turns `timestamptz` text straight into the ISO string; it must be
 * byte for byte what pg's own parse (pg-types → postgres-date) and
 * `toISOString()` give, which is what the API returned before (issue 18).
 * The reference here is that path, taken from pg itself.
 */
jest.setTimeout(60_000);

const pgParse = types.getTypeParser(types.builtins.TIMESTAMPTZ, 'text');

/** The Date path's answer, or its error's kind when it has none (infinity: a number with no `toISOString`). */
function viaDate(text: string): string {
  const parsed: unknown = pgParse(text);
  return parsed instanceof Date ? parsed.toISOString() : 'throws';
}

function converted(text: string): string {
  try {
    return isoFromTimestamptzText(text);
  } catch {
    return 'throws';
  }
}

/** The texts whose conversion differs from the Date path, at most `limit` of them (a readable failure). */
function mismatches(texts: Iterable<string>, limit = 5): string[] {
  const found: string[] = [];
  for (const text of texts) {
    const got = converted(text);
    const want = viaDate(text);
    if (got !== want && found.push(`${text}: ${got}, Date path ${want}`) >= limit) break;
  }
  return found;
}

describe('isoFromTimestamptzText', () => {
  test('every fraction of 0–6 digits, as PostgreSQL sends it in a UTC session, converts as the Date path does (truncated to ms)', () => {
    function* texts() {
      yield '2026-12-05 11:28:39+00';
      for (let digits = 1; digits <= 6; digits++) {
        for (let k = 0; k < 10 ** digits; k++) yield `2026-12-05 11:28:39.${String(k).padStart(digits, '0')}+00`;
      }
    }
    expect(mismatches(texts())).toEqual([]);
    expect(isoFromTimestamptzText('2026-12-05 11:28:39.999999+00')).toBe('2026-12-05T11:28:39.999Z');
    expect(isoFromTimestamptzText('2026-12-05 11:28:39.5+00')).toBe('2026-12-05T11:28:39.500Z');
    expect(isoFromTimestamptzText('2026-12-05 11:28:39+00')).toBe('2026-12-05T11:28:39.000Z');
  });

  test('hand-picked edges: leap days, year and century boundaries, small years, other offsets, BC, infinity, malformed', () => {
    const texts = [
      '2024-02-29 23:59:59.999999+00',
      '2000-02-29 00:00:00+00',
      '1900-02-28 12:00:00.1+00',
      '1999-12-31 23:59:59.9995+00',
      '2026-12-31 23:59:59.999+00',
      '2027-01-01 00:00:00+00',
      '0001-01-01 00:00:00+00',
      '0099-12-31 23:59:59.123456+00',
      '9999-12-31 23:59:59.999999+00',
      '1970-01-01 00:00:00+00',
      '1969-12-31 23:59:59.999999+00',
      // Not the fast form: the Date path decides.
      '2026-12-05 17:58:39.123456+05:30',
      '2026-12-05 08:28:39-03',
      '1890-01-01 00:19:32.5+00:19:32',
      '2026-12-31 20:00:00.1-04',
      '0044-03-15 12:00:00+00 BC',
      '10000-01-01 00:00:00+00',
      'infinity',
      '-infinity',
      '2026-02-29 00:00:00+00',
      '2026-12-05 24:00:00+00',
      '2026-12-05 11:28:60+00',
      '2026-12-05 11:28:39.1234567+00',
      '2026-12-05T11:28:39Z',
    ];
    expect(mismatches(texts, texts.length)).toEqual([]);
  });

  describe('against a real PostgreSQL server', () => {
    let pg: TestPostgres;
    let client: Client;
    beforeAll(async () => {
      pg = await startPostgres();
      // Text out, so the conversion sees exactly the server's bytes.
      client = new Client({ connectionString: pg.url, types: { getTypeParser: () => (text: string) => text } });
      await client.connect();
    });
    afterAll(async () => {
      await client?.end();
      await pg?.stop();
    });

    /** Random instants from year 1 to 9999 with 0, 1, 3 or 6 fraction digits (fewer when they end in zeros), leap-day and year-end runs, and now. */
    async function randomTexts(timeZone: string, count: number): Promise<string[]> {
      await client.query(`SET TIME ZONE '${timeZone}'`);
      const { rows } = await client.query<{ t: string }>(
        `SELECT (date_trunc('second', timestamptz '0001-01-01 00:00:00+00' + random() * (timestamptz '9999-12-30 00:00:00+00' - timestamptz '0001-01-01 00:00:00+00'))
                 + make_interval(secs => round(random()::numeric, (ARRAY[0, 1, 3, 6])[i % 4 + 1])::float8))::text AS t
           FROM generate_series(1, $1) AS i
         UNION ALL
         SELECT (timestamptz '2024-02-28 23:59:59.5+00' + i * interval '1 hour' + i * interval '1.000001 second')::text
           FROM generate_series(1, 50) AS i
         UNION ALL
         SELECT (now() + i * interval '1 microsecond')::text FROM generate_series(1, 50) AS i`,
        [count],
      );
      return rows.map((row) => row.t);
    }

    test('random timestamps in a UTC session: all in the fast form, all as the Date path gives them', async () => {
      const texts = await randomTexts('UTC', 20_000);
      expect(mismatches(texts)).toEqual([]);
      // The fast form is what a UTC session sends: the conversion does not fall back for these.
      expect(texts.filter((text) => !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?\+00$/.test(text))).toEqual([]);
      expect(new Set(texts.map((text) => text.length))).toEqual(new Set([22, 24, 25, 26, 27, 28, 29]));
    });

    test.each(['Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam', 'Pacific/Chatham', 'America/New_York'])(
      'random timestamps in a %s session (other offsets, LMT offsets with seconds): as the Date path gives them',
      async (timeZone) => {
        expect(mismatches(await randomTexts(timeZone, 5_000))).toEqual([]);
      },
    );
  });
});
