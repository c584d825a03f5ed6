import { moveHome, newerRegionConfig, parseRegionConfig, RegionConfigError, regionEntry } from '../../contracts/region-config';

const valid = {
  home: 'us-east-1',
  epoch: 0,
  regions: [
    { name: 'us-east-1', apiUrl: 'https://api-us-east-1.example.com/' },
    { name: 'eu-west-1', apiUrl: 'https://api-eu-west-1.example.com' },
  ],
};

describe('region configuration', () => {
  it('parses a valid configuration and drops trailing slashes from URLs', () => {
    const config = parseRegionConfig(JSON.stringify(valid));
    expect(config.home).toBe('us-east-1');
    expect(regionEntry(config, 'us-east-1').apiUrl).toBe('https://api-us-east-1.example.com');
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['an array', '[]', /JSON object/],
    ['one region', JSON.stringify({ ...valid, regions: [valid.regions[0]] }), /at least two/],
    ['a home outside the regions', JSON.stringify({ ...valid, home: 'ap-south-1' }), /home must be one of us-east-1, eu-west-1/],
    ['a negative epoch', JSON.stringify({ ...valid, epoch: -1 }), /epoch must be a whole number/],
    ['a bad region name', JSON.stringify({ ...valid, regions: [valid.regions[0], { name: 'Europe', apiUrl: 'https://x' }] }), /regions\[1\]\.name/],
    ['a bad URL', JSON.stringify({ ...valid, regions: [valid.regions[0], { name: 'eu-west-1', apiUrl: 'ftp://x' }] }), /regions\[1\]\.apiUrl/],
    ['a region twice', JSON.stringify({ ...valid, regions: [valid.regions[0], valid.regions[0]] }), /names us-east-1 twice/],
  ])('refuses %s', (_what, json, message) => {
    expect(() => parseRegionConfig(json)).toThrow(RegionConfigError);
    expect(() => parseRegionConfig(json)).toThrow(message);
  });

  it('accepts the local test names', () => {
    const config = parseRegionConfig(JSON.stringify({ home: 'region-a', epoch: 3, regions: [{ name: 'region-a', apiUrl: 'http://127.0.0.1:1' }, { name: 'region-b', apiUrl: 'http://127.0.0.1:2' }] }));
    expect(config.epoch).toBe(3);
  });

  it('moves home with a higher epoch, and a stale copy never moves it back', () => {
    const config = parseRegionConfig(JSON.stringify(valid));
    const moved = moveHome(config, 'eu-west-1');
    expect(moved).toMatchObject({ home: 'eu-west-1', epoch: 1 });
    expect(newerRegionConfig(moved, config)).toBe(moved);
    expect(newerRegionConfig(config, moved)).toBe(moved);
    expect(() => moveHome(config, 'ap-south-1')).toThrow(/has no region ap-south-1/);
  });
});
