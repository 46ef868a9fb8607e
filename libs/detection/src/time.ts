// Timestamp parsing for the detector's hot path. The service evaluates every cluster every minute over
// up to two weeks of minute buckets; Date.parse costs ~250 ns a call, so the canonical UTC forms
// (`2024-05-01T12:34Z`, `…:56Z`, `…:56.789Z`) are parsed by hand and everything else goes to Date.parse.

export const MINUTE_MS = 60_000;
export const DAY_MS = 1440 * MINUTE_MS;

function digits(s: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function parseUtcFast(s: string): number | null {
  // YYYY-MM-DDTHH:MM
  if (s.length < 17 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58) {
    return null;
  }
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1] || hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    return null;
  }
  let i = 16;
  let second = 0;
  let millis = 0;
  if (s.charCodeAt(i) === 58) {
    second = digits(s, 17, 2);
    if (second < 0 || second > 59) return null;
    i = 19;
    if (s.charCodeAt(i) === 46) {
      i++;
      const start = i;
      let scale = 100;
      while (i < s.length) {
        const d = s.charCodeAt(i) - 48;
        if (d < 0 || d > 9) break;
        millis += d * scale; // digits past the millisecond add 0 (scale is 0 by then): truncated, as Date.parse does
        scale = Math.floor(scale / 10);
        i++;
      }
      if (i === start) return null;
    }
  }
  if (i !== s.length - 1 || s.charCodeAt(i) !== 90 /* Z */) return null;
  // Feb 29 of a non-leap year: let Date.parse decide.
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return null;
  return daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm); Date.UTC is several times slower. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Epoch milliseconds of an ISO-8601 timestamp; throws on anything unparseable. */
export function toMs(iso: string): number {
  const fast = parseUtcFast(iso);
  if (fast !== null) return fast;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 timestamp: ${JSON.stringify(iso)}`);
  return ms;
}

const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** The toISOString form of epoch milliseconds (`YYYY-MM-DDTHH:MM:SS.sssZ`), formatted by hand: several times faster. */
export function toIso(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  const millis = rest % 1000;
  rest = (rest - millis) / 1000;
  const second = rest % 60;
  rest = (rest - second) / 60;
  const minute = rest % 60;
  const hour = (rest - minute) / 60;
  // Civil date from days since the epoch (H. Hinnant's algorithm).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1000 || year > 9999 || !Number.isInteger(ms)) return new Date(ms).toISOString();
  return `${year}-${PAD2[month]}-${PAD2[day]}T${PAD2[hour]}:${PAD2[minute]}:${PAD2[second]}.${PAD3[millis]}Z`;
}
