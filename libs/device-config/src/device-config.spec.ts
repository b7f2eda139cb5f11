import { defaultConfiguration, effectiveConfiguration } from './device-update-configuration';
import { formatTimeSpan, parseTimeSpan } from './timespan';

describe('TimeSpan text', () => {
  it.each([
    ['10.00:00:00', 864_000],
    ['00:05:00', 300],
    ['1.02:03:04', 93_784],
    ['23:59:59', 86_399],
  ])('reads %s as %i seconds and writes it back', (text, seconds) => {
    expect(parseTimeSpan(text)).toBe(seconds);
    expect(formatTimeSpan(seconds)).toBe(text);
  });

  it.each(['', '5', '00:60:00', '24:00:00', '1.2:3:4', '-1.00:00:00', '10 days'])('refuses %j', (text) => {
    expect(parseTimeSpan(text)).toBeNull();
  });
});

describe('effectiveConfiguration', () => {
  const site = { ...defaultConfiguration('site:Redmond'), maxLogFileSize: 1 };
  const global = { ...defaultConfiguration(), maxLogFileSize: 2 };

  it("is the pool's site's when it has one, whatever the case", () => {
    expect(effectiveConfiguration([global, site], 'redmond').maxLogFileSize).toBe(1);
  });

  it('is the global one for a pool of another site or of none', () => {
    expect(effectiveConfiguration([global, site], 'Dublin').maxLogFileSize).toBe(2);
    expect(effectiveConfiguration([global, site], undefined).maxLogFileSize).toBe(2);
  });

  it("is Lync's defaults when nothing was ever set", () => {
    expect(effectiveConfiguration([], undefined)).toEqual(defaultConfiguration());
  });
});
