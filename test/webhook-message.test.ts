import { MalformedMessageError, decodeBody, encodeBody, sqsMessageBytes } from '../functions/lib/webhook-message';
import { seededRandom, sqsRefuses } from './support/webhook-fuzz';

describe('the message body encoding', () => {
  it('keeps a text SQS accepts as it is', () => {
    const text = '{"id":"evt_1","s":"100% caf\u00e9 \u{1F600} \\uFFFE %uFFFE"}';
    expect(encodeBody(text)).toEqual({ body: text, encoding: 'verbatim' });
  });

  it('escapes only refused characters and %, and only when something is refused', () => {
    expect(encodeBody('a%\ufffeb\uffff\u0001\ud800')).toEqual({ body: 'a%25%uFFFEb%uFFFF%u0001%uD800', encoding: 'escaped' });
    expect(decodeBody('a%25%uFFFEb%uFFFF%u0001%uD800', 'escaped')).toBe('a%\ufffeb\uffff\u0001\ud800');
    expect(decodeBody('%2525%25u0041', 'escaped')).toBe('%25%u0041');
  });

  it.each([
    ['a stray %', 'x%', 'escaped'],
    ['lower-case hex', '%ufffe', 'escaped'],
    ['a short escape', '%uFFF', 'escaped'],
    ['an unknown encoding', 'x', 'base64'],
  ])('refuses %s', (_label, body, encoding) => {
    expect(() => decodeBody(body, encoding)).toThrow(MalformedMessageError);
  });

  it('round-trips 2,000 seeded random texts, each encoded body within SQS character set', () => {
    const random = seededRandom(99);
    // Code units from every band: controls, ASCII with %, BMP, surrogates (paired or not), U+FFFE/U+FFFF.
    const bands = [[0x0, 0x1f], [0x20, 0x7e], [0x25, 0x25], [0x80, 0xd7ff], [0xd800, 0xdfff], [0xe000, 0xfffd], [0xfffe, 0xffff]] as const;
    for (let n = 0; n < 2000; n++) {
      const text = Array.from({ length: Math.floor(random() * 40) }, () => {
        const [low, high] = bands[Math.floor(random() * bands.length)]!;
        return String.fromCharCode(low + Math.floor(random() * (high - low + 1)));
      }).join('');
      const { body, encoding } = encodeBody(text);
      expect(sqsRefuses(body)).toBe(false);
      expect(encoding).toBe(sqsRefuses(text) ? 'escaped' : 'verbatim');
      expect(decodeBody(body, encoding)).toBe(text);
    }
  });

  it('counts the size as SQS does: body plus attribute names, types and values, in UTF-8 bytes', () => {
    expect(sqsMessageBytes('\u00e9', { 'webhook-body-encoding': { DataType: 'String', StringValue: 'verbatim' } })).toBe(2 + 21 + 6 + 8);
  });
});
