import { describe, expect, it } from 'vitest';
import { parseDuration, parseFilter, parseRate } from '../../lib/operate/parse.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
  ])('reads %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '15', 'm', '15 minutes', '-5m', '0s', '1h 30m', '2x'])(
    'refuses "%s", naming the accepted forms',
    (text) => {
      expect(() => parseDuration(text)).toThrow(
        /is not a duration; use a number and a unit, e\.g\. 90s, 15m/,
      );
    },
  );
});

describe('parseRate', () => {
  it.each([
    ['20', 20],
    ['20/s', 20],
    ['600/m', 10],
    ['0.5/s', 0.5],
    ['3600/h', 1],
  ])('reads %s as %d per second', (text, rate) => expect(parseRate(text)).toBe(rate));

  it.each(['0', 'fast', '-3', '20/d', '10001', ''])('refuses "%s", naming the range', (text) => {
    expect(() => parseRate(text)).toThrow(/is not a rate; use messages per second from more than 0 to 10000/);
  });
});

describe('parseFilter', () => {
  it('compiles a case-insensitive expression', () =>
    expect(parseFilter('http 5\\d\\d').test('HTTP 503')).toBe(true));
  it('quotes a broken one', () =>
    expect(() => parseFilter('(')).toThrow(/"\(" is not a valid regular expression/));
});
