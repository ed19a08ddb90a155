import { afterEach, describe, expect, it, vi } from 'vitest';
import { imageSizeFromDataUrl, parseSizeHint } from '../../src/pricing/image-size.js';

const dataUrl = (bytes: number[], mime = 'image/png'): string => `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;
const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const be32 = (n: number) => [...be16(Math.floor(n / 0x10000)), ...be16(n & 0xffff)];
const le32 = (n: number) => [...le16(n & 0xffff), ...le16((n >>> 16) & 0xffff)];
const le24 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

function png(width: number, height: number): number[] {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const ihdr = [...be32(13), ...ascii('IHDR'), ...be32(width), ...be32(height), 8, 2, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef];
  return [...signature, ...ihdr];
}

const APP0 = [0xff, 0xe0, ...be16(16), ...ascii('JFIF'), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
const DQT = [0xff, 0xdb, ...be16(67), 0, ...new Array<number>(64).fill(1)];
function sof(marker: number, width: number, height: number): number[] {
  return [0xff, marker, ...be16(17), 8, ...be16(height), ...be16(width), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
}
function jpeg(width: number, height: number): number[] {
  // SOI, APP0 (JFIF), DQT, 0xFF fill bytes, SOF0, then the start of scan.
  return [0xff, 0xd8, ...APP0, ...DQT, 0xff, 0xff, ...sof(0xc0, width, height), 0xff, 0xda, 0, 8];
}

function gif(width: number, height: number): number[] {
  return [...ascii('GIF89a'), ...le16(width), ...le16(height), 0xf7, 0, 0, 0, 0, 0];
}

function riff(chunk: string, body: number[]): number[] {
  return [...ascii('RIFF'), ...le32(4 + 8 + body.length), ...ascii('WEBP'), ...ascii(chunk), ...le32(body.length), ...body];
}
const webpLossy = (w: number, h: number) => riff('VP8 ', [0x30, 0x01, 0x00, 0x9d, 0x01, 0x2a, ...le16(w), ...le16(h), 0, 0]);
const webpLossless = (w: number, h: number) => riff('VP8L', [0x2f, ...le32((w - 1) | ((h - 1) << 14)), 0, 0]);
const webpExtended = (w: number, h: number) => riff('VP8X', [0x10, 0, 0, 0, ...le24(w - 1), ...le24(h - 1)]);

function bmp(width: number, height: number): number[] {
  return [...ascii('BM'), ...le32(1000), 0, 0, 0, 0, ...le32(54), ...le32(40), ...le32(width), ...le32(height >>> 0), ...le16(1), ...le16(24)];
}

describe('imageSizeFromDataUrl', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads PNG IHDR', () => {
    expect(imageSizeFromDataUrl(dataUrl(png(1280, 720)))).toEqual({ width: 1280, height: 720, format: 'png' });
    expect(imageSizeFromDataUrl(dataUrl(png(70000, 3)))).toEqual({ width: 70000, height: 3, format: 'png' });
  });

  it('reads JPEG SOF0 after APP0, DQT and 0xFF fill bytes', () => {
    expect(imageSizeFromDataUrl(dataUrl(jpeg(640, 480), 'image/jpeg'))).toEqual({ width: 640, height: 480, format: 'jpeg' });
  });

  it('reads progressive JPEG (SOF2) and skips DHT (C4), which is not a frame header', () => {
    const dht = [0xff, 0xc4, ...be16(5), 0, 1, 2];
    const bytes = [0xff, 0xd8, ...APP0, ...dht, ...sof(0xc2, 854, 480)];
    expect(imageSizeFromDataUrl(dataUrl(bytes, 'image/jpeg'))).toEqual({ width: 854, height: 480, format: 'jpeg' });
  });

  it('reads the GIF logical screen', () => {
    expect(imageSizeFromDataUrl(dataUrl(gif(320, 200), 'image/gif'))).toEqual({ width: 320, height: 200, format: 'gif' });
  });

  it('reads WebP VP8, VP8L and VP8X', () => {
    expect(imageSizeFromDataUrl(dataUrl(webpLossy(1280, 720), 'image/webp'))).toEqual({ width: 1280, height: 720, format: 'webp' });
    expect(imageSizeFromDataUrl(dataUrl(webpLossless(1000, 333), 'image/webp'))).toEqual({ width: 1000, height: 333, format: 'webp' });
    expect(imageSizeFromDataUrl(dataUrl(webpExtended(5000, 20000), 'image/webp'))).toEqual({ width: 5000, height: 20000, format: 'webp' });
  });

  it('reads BMP, bottom-up and top-down', () => {
    expect(imageSizeFromDataUrl(dataUrl(bmp(800, 600), 'image/bmp'))).toEqual({ width: 800, height: 600, format: 'bmp' });
    expect(imageSizeFromDataUrl(dataUrl(bmp(800, -600), 'image/bmp'))).toEqual({ width: 800, height: 600, format: 'bmp' });
  });

  it('sniffs the bytes, not the declared MIME type', () => {
    expect(imageSizeFromDataUrl(dataUrl(png(10, 20), 'image/jpeg'))?.format).toBe('png');
    expect(imageSizeFromDataUrl(`data:;base64,${Buffer.from(gif(3, 4)).toString('base64')}`)).toEqual({ width: 3, height: 4, format: 'gif' });
  });

  it('handles unpadded base64', () => {
    const url = dataUrl(gif(33, 44), 'image/gif').replace(/=+$/, '');
    expect(imageSizeFromDataUrl(url)).toEqual({ width: 33, height: 44, format: 'gif' });
  });

  it('returns undefined for truncated input', () => {
    expect(imageSizeFromDataUrl(dataUrl(png(1280, 720).slice(0, 20)))).toBeUndefined();
    expect(imageSizeFromDataUrl(dataUrl(jpeg(640, 480).slice(0, 30), 'image/jpeg'))).toBeUndefined(); // stops inside DQT
    expect(imageSizeFromDataUrl(dataUrl(webpLossy(10, 10).slice(0, 26), 'image/webp'))).toBeUndefined();
    expect(imageSizeFromDataUrl(dataUrl(gif(10, 10).slice(0, 8), 'image/gif'))).toBeUndefined();
  });

  it('returns undefined for garbage', () => {
    expect(imageSizeFromDataUrl('')).toBeUndefined();
    expect(imageSizeFromDataUrl('https://example.com/cat.png')).toBeUndefined();
    expect(imageSizeFromDataUrl('data:image/png;base64,')).toBeUndefined();
    expect(imageSizeFromDataUrl('data:image/png;base64,!!!!not base64!!!!')).toBeUndefined();
    expect(imageSizeFromDataUrl('data:text/plain,hello')).toBeUndefined();
    expect(imageSizeFromDataUrl(dataUrl(ascii('hello, this is not an image at all')))).toBeUndefined();
    expect(imageSizeFromDataUrl(dataUrl(png(0, 720)))).toBeUndefined(); // zero width
    expect(imageSizeFromDataUrl(dataUrl([0xff, 0xd8, 0xff, 0xda, 0, 2], 'image/jpeg'))).toBeUndefined(); // SOS, no SOF
    expect(imageSizeFromDataUrl(dataUrl([0xff, 0xd8, 0x12, 0x34, 0, 2], 'image/jpeg'))).toBeUndefined(); // not a marker
    expect(imageSizeFromDataUrl(dataUrl([0xff, 0xd8, ...new Array<number>(40).fill(0xff)], 'image/jpeg'))).toBeUndefined();
    expect(imageSizeFromDataUrl(dataUrl(riff('VP8 ', new Array<number>(10).fill(0)), 'image/webp'))).toBeUndefined(); // no start code
  });

  it('decodes only a prefix of a multi-megabyte data URL (the tail is not even valid base64)', () => {
    const head = Buffer.from(png(1280, 720)).toString('base64').replace(/=+$/, '');
    const url = `data:image/png;base64,${head.slice(0, 32)}${'!'.repeat(8 * 1024 * 1024)}`;
    const from = vi.spyOn(Buffer, 'from');
    expect(imageSizeFromDataUrl(url)).toEqual({ width: 1280, height: 720, format: 'png' });
    const longest = Math.max(...from.mock.calls.map(([input]) => (typeof input === 'string' ? input.length : 0)));
    expect(longest).toBeLessThanOrEqual(64);
  });

  it('skips a large JPEG APP1 segment without decoding its body', () => {
    // 6 header bytes, a 60,000-byte APP1 body (3-byte aligned, so it is exactly 80,000 base64 characters, here
    // replaced by invalid ones), then SOF0: only the segment headers are decoded.
    const body = 60_000;
    const before = Buffer.from([0xff, 0xd8, 0xff, 0xe1, ...be16(body + 2)]).toString('base64');
    const after = Buffer.from(sof(0xc0, 4032, 3024)).toString('base64');
    const url = `data:image/jpeg;base64,${before}${'!'.repeat((body / 3) * 4)}${after}`;
    expect(imageSizeFromDataUrl(url)).toEqual({ width: 4032, height: 3024, format: 'jpeg' });
  });
});

describe('parseSizeHint', () => {
  it('parses WxH with x, ×, X and *', () => {
    expect(parseSizeHint('1280x720')).toEqual({ width: 1280, height: 720 });
    expect(parseSizeHint('1280×720')).toEqual({ width: 1280, height: 720 });
    expect(parseSizeHint(' 640 X 480 ')).toEqual({ width: 640, height: 480 });
    expect(parseSizeHint('854*480')).toEqual({ width: 854, height: 480 });
    expect(parseSizeHint('1024x1024px')).toEqual({ width: 1024, height: 1024 });
  });

  it('rejects anything else', () => {
    for (const text of ['', '720p', '1280', '1280x', 'x720', '0x720', '1280x0', '-1x5', '12.5x10', '1280x720x3', 'axb']) {
      expect(parseSizeHint(text), text).toBeUndefined();
    }
  });
});
