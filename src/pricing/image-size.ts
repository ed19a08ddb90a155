/**
 * Image dimensions from a data URL, reading only the header bytes.
 *
 * Base64 is position-aligned (every 4 characters hold 3 bytes), so bytes [offset, offset + length) are decoded
 * from just the characters that hold them. A multi-megabyte image costs a few dozen bytes of decoding (JPEG:
 * a few bytes per segment header, whatever the size of the APPn segments skipped over), and the rest of the
 * payload is never looked at.
 */

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp';

export interface ImageSize {
  width: number;
  height: number;
  format: ImageFormat;
}

/** Random-access reader over the bytes of a base64 payload; `undefined` past the end or on invalid base64. */
interface ByteReader {
  read(offset: number, length: number): Uint8Array | undefined;
}

const BASE64_CHUNK = /^[A-Za-z0-9+/_-]*={0,2}$/;
const MAX_JPEG_SEGMENTS = 4096;

function base64Reader(payload: string): ByteReader {
  return {
    read(offset, length) {
      if (offset < 0 || length <= 0) return undefined;
      const start = Math.floor(offset / 3) * 4;
      const end = Math.min(Math.ceil((offset + length) / 3) * 4, payload.length); // tails may be unpadded
      if (end <= start) return undefined;
      const chunk = payload.slice(start, end);
      if (!BASE64_CHUNK.test(chunk)) return undefined;
      const bytes = Buffer.from(chunk, 'base64');
      const skip = offset - (start / 4) * 3;
      if (bytes.length < skip + length) return undefined;
      return new Uint8Array(bytes.buffer, bytes.byteOffset + skip, length);
    },
  };
}

function ascii(bytes: Uint8Array, from: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(from, from + length));
}

const u16be = (b: Uint8Array, i: number): number => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
const u16le = (b: Uint8Array, i: number): number => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const u24le = (b: Uint8Array, i: number): number => u16le(b, i) | ((b[i + 2] ?? 0) << 16);
const u32be = (b: Uint8Array, i: number): number => u16be(b, i) * 0x10000 + u16be(b, i + 2);
const u32le = (b: Uint8Array, i: number): number => u16le(b, i) + u16le(b, i + 2) * 0x10000;
const i32le = (b: Uint8Array, i: number): number => u32le(b, i) | 0;

function sized(width: number, height: number, format: ImageFormat): ImageSize | undefined {
  return Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0
    ? { width, height, format }
    : undefined;
}

function png(r: ByteReader): ImageSize | undefined {
  const b = r.read(0, 24);
  if (!b || u32be(b, 0) !== 0x89504e47 || u32be(b, 4) !== 0x0d0a1a0a || ascii(b, 12, 4) !== 'IHDR') return undefined;
  return sized(u32be(b, 16), u32be(b, 20), 'png');
}

function gif(r: ByteReader): ImageSize | undefined {
  const b = r.read(0, 10);
  if (!b || !/^GIF8[79]a$/.test(ascii(b, 0, 6))) return undefined;
  return sized(u16le(b, 6), u16le(b, 8), 'gif');
}

function bmp(r: ByteReader): ImageSize | undefined {
  const b = r.read(0, 26) ?? r.read(0, 22);
  if (!b || ascii(b, 0, 2) !== 'BM') return undefined;
  const headerSize = u32le(b, 14);
  if (headerSize === 12) return sized(u16le(b, 18), u16le(b, 20), 'bmp'); // BITMAPCOREHEADER
  if (headerSize < 16 || b.length < 26) return undefined;
  return sized(Math.abs(i32le(b, 18)), Math.abs(i32le(b, 22)), 'bmp'); // negative height = top-down rows
}

function webp(r: ByteReader): ImageSize | undefined {
  const h = r.read(0, 16);
  if (!h || ascii(h, 0, 4) !== 'RIFF' || ascii(h, 8, 4) !== 'WEBP') return undefined;
  const chunk = ascii(h, 12, 4);
  if (chunk === 'VP8 ') {
    // Lossy: 3-byte frame tag, start code 9d 01 2a, then 14-bit width and height (top 2 bits are scaling).
    const b = r.read(0, 30);
    if (!b || b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
    return sized(u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff, 'webp');
  }
  if (chunk === 'VP8L') {
    // Lossless: signature 0x2f, then width-1 and height-1 as 14-bit little-endian bit fields.
    const b = r.read(0, 25);
    if (!b || b[20] !== 0x2f) return undefined;
    const bits = u32le(b, 21);
    return sized((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1, 'webp');
  }
  if (chunk === 'VP8X') {
    const b = r.read(0, 30); // flags, 3 reserved bytes, then canvas width-1 and height-1 (24-bit each)
    return b ? sized(u24le(b, 24) + 1, u24le(b, 27) + 1, 'webp') : undefined;
  }
  return undefined;
}

/** Start-of-frame markers: C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpeg(r: ByteReader): ImageSize | undefined {
  const head = r.read(0, 2);
  if (!head || head[0] !== 0xff || head[1] !== 0xd8) return undefined;
  let pos = 2;
  for (let segments = 0; segments < MAX_JPEG_SEGMENTS; segments++) {
    let byte = r.read(pos, 1)?.[0];
    if (byte !== 0xff) return undefined; // every segment starts with a marker
    while (byte === 0xff) byte = r.read(++pos, 1)?.[0]; // 0xFF fill bytes may pad before a marker
    if (byte === undefined) return undefined;
    const marker = byte;
    pos += 1;
    if (marker === 0x01 || marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0xd9 || marker === 0xda || marker === 0x00) return undefined; // EOI / SOS before any SOF
    const lengthBytes = r.read(pos, 2);
    if (!lengthBytes) return undefined;
    const length = u16be(lengthBytes, 0);
    if (length < 2) return undefined;
    if (isSof(marker)) {
      const sof = r.read(pos + 2, 5); // precision, height, width
      if (!sof || length < 7) return undefined;
      return sized(u16be(sof, 3), u16be(sof, 1), 'jpeg'); // height 0 (set later by DNL) → undefined
    }
    pos += length; // skip APPn, DQT, DHT, COM… without decoding their bodies
  }
  return undefined;
}

const SNIFFERS: Record<ImageFormat, (r: ByteReader) => ImageSize | undefined> = { png, jpeg, gif, webp, bmp };

function sniff(r: ByteReader): ImageFormat | undefined {
  const b = r.read(0, 12) ?? r.read(0, 6) ?? r.read(0, 3);
  if (!b) return undefined;
  if (b[0] === 0x89 && ascii(b, 1, 3) === 'PNG') return 'png';
  if (b[0] === 0xff && b[1] === 0xd8) return 'jpeg';
  if (ascii(b, 0, 3) === 'GIF') return 'gif';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  if (ascii(b, 0, 2) === 'BM') return 'bmp';
  return undefined;
}

/**
 * Width, height and format of a base64 `data:` URL image (PNG, JPEG, GIF, WebP, BMP), from its header bytes.
 * The declared MIME type is ignored (the bytes are sniffed). Remote URLs, non-base64 data URLs, truncated or
 * garbage input → undefined.
 */
export function imageSizeFromDataUrl(url: string): ImageSize | undefined {
  if (typeof url !== 'string' || url.slice(0, 5).toLowerCase() !== 'data:') return undefined;
  const comma = url.indexOf(',');
  if (comma < 0 || comma > 512) return undefined;
  const meta = url.slice(5, comma).toLowerCase();
  if (!meta.split(';').includes('base64')) return undefined;
  let payload = url.slice(comma + 1);
  // Whitespace would break the 4-characters-per-3-bytes alignment; it is rare, and removing it decodes nothing.
  if (/\s/.test(payload.slice(0, 4096))) payload = payload.replace(/\s+/g, '');
  const reader = base64Reader(payload);
  const format = sniff(reader);
  return format ? SNIFFERS[format](reader) : undefined;
}

/** "1280x720", "1280×720", "1280 X 720", "1280*720" → { width, height }; anything else → undefined. */
export function parseSizeHint(text: string): { width: number; height: number } | undefined {
  const match = /^\s*(\d{1,6})\s*[x×X*]\s*(\d{1,6})\s*(?:px)?\s*$/.exec(text ?? '');
  if (!match) return undefined;
  const width = Number(match[1]);
  const height = Number(match[2]);
  return width > 0 && height > 0 ? { width, height } : undefined;
}
