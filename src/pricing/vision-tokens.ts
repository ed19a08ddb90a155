/**
 * Image input tokens per provider family (reference: providers.md §6). Pure functions; the provider's own
 * `usage.prompt_tokens_details.image_tokens` always wins for billing; these figures are for estimates and quotes.
 */
import { imageSizeFromDataUrl } from './image-size.js';

export type VisionFamily = 'qwen-vl' | 'qwen3-vl' | 'openai-tiles' | 'anthropic' | 'doubao' | 'gemini' | 'deepseek';
export type ImageDetail = 'low' | 'high' | 'auto';

export interface ImageTokenResult {
  tokens: number;
  /** Size after the provider's resize. */
  width: number;
  height: number;
  /** True when the size was unknown (default assumed) or the family's rule is itself only an estimate. */
  estimated: boolean;
  /** Human-readable derivation, e.g. "Qwen-VL smart_resize 1288×728 → 46×26 patches = 1196 tokens". */
  rule: string;
}

export interface ImageTokenOptions {
  detail?: ImageDetail;
  /** Per-image token cap, e.g. qwen-vl-plus 1280, qwen-vl-max 16384 (sets Qwen's max_pixels = cap × patch²). */
  maxTokensPerImage?: number;
  /** Qwen / DeepSeek smart_resize bounds, in pixels; override the defaults and maxTokensPerImage. */
  minPixels?: number;
  maxPixels?: number;
}

/** Assumed for a remote image whose size is not known: a typical phone-photo/screenshot upload after clients downscale. */
export const DEFAULT_IMAGE_SIZE: Readonly<{ width: number; height: number }> = Object.freeze({ width: 1024, height: 1024 });

type Size = { width: number; height: number };

/** Python's round(): halves go to the even neighbour (round(30.5) = 30), as qwen_vl_utils relies on. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** qwen_vl_utils.smart_resize: sides become multiples of `factor`, pixels within [minPixels, maxPixels]. */
export function smartResize(width: number, height: number, factor: number, minPixels: number, maxPixels: number): Size {
  let h = Math.max(factor, roundHalfEven(height / factor) * factor);
  let w = Math.max(factor, roundHalfEven(width / factor) * factor);
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = Math.max(factor, Math.floor(height / beta / factor) * factor);
    w = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    h = Math.ceil((height * beta) / factor) * factor;
    w = Math.ceil((width * beta) / factor) * factor;
  }
  return { width: w, height: h };
}

function patches(label: string, size: Size, factor: number, options: ImageTokenOptions, defaults: { minTokens: number; maxTokens: number }) {
  const area = factor * factor;
  const minPixels = options.minPixels ?? defaults.minTokens * area;
  const maxPixels = options.maxPixels ?? (options.maxTokensPerImage ?? defaults.maxTokens) * area;
  const resized = smartResize(size.width, size.height, factor, minPixels, maxPixels);
  const cols = resized.width / factor;
  const rows = resized.height / factor;
  const tokens = cols * rows;
  return {
    tokens,
    ...resized,
    rule: `${label} smart_resize ${resized.width}×${resized.height} → ${cols}×${rows} patches (${factor} px) = ${tokens} tokens (+2 <|vision_start|>/<|vision_end|> special tokens, not counted)`,
  };
}

function openaiTiles(size: Size, detail: ImageDetail) {
  if (detail === 'low') {
    const scale = Math.min(1, 512 / Math.max(size.width, size.height));
    const width = Math.max(1, Math.round(size.width * scale));
    const height = Math.max(1, Math.round(size.height * scale));
    return { tokens: 85, width, height, rule: 'OpenAI detail:low = 85 tokens flat' };
  }
  const fit = Math.min(1, 2048 / Math.max(size.width, size.height));
  const short = Math.min(size.width, size.height) * fit;
  const scale = fit * Math.min(1, 768 / short);
  const width = Math.max(1, Math.round(size.width * scale));
  const height = Math.max(1, Math.round(size.height * scale));
  const cols = Math.ceil(width / 512);
  const rows = Math.ceil(height / 512);
  const tokens = 85 + 170 * cols * rows;
  return { tokens, width, height, rule: `OpenAI detail:${detail} ${width}×${height} → ${cols}×${rows} tiles of 512 px = 85 + 170×${cols * rows} = ${tokens} tokens` };
}

function anthropic(size: Size, maxTokens: number) {
  const scale = Math.min(1, 1568 / Math.max(size.width, size.height), Math.sqrt((maxTokens * 750) / (size.width * size.height)));
  const width = scale < 1 ? Math.max(1, Math.floor(size.width * scale)) : size.width;
  const height = scale < 1 ? Math.max(1, Math.floor(size.height * scale)) : size.height;
  const tokens = Math.ceil((width * height) / 750);
  const resized = scale < 1 ? ` (downscaled from ${size.width}×${size.height}: long edge ≤ 1568, ≤ ~${maxTokens} tokens)` : '';
  return { tokens, width, height, rule: `Anthropic ${width}×${height}${resized} → ceil(${width * height} / 750) = ${tokens} tokens` };
}

function doubao(size: Size, detail: ImageDetail, cap: number | undefined) {
  const limit = cap ?? (detail === 'low' ? 1312 : 5120); // 'auto' is billed as high
  const mode = detail === 'low' ? 'low' : 'high';
  const raw = Math.ceil((size.width * size.height) / 784);
  if (raw <= limit) {
    return { tokens: raw, ...size, rule: `Doubao detail:${mode} ceil(${size.width}×${size.height} / 784) = ${raw} tokens (cap ${limit})` };
  }
  const scale = Math.sqrt((limit * 784) / (size.width * size.height));
  const width = Math.max(1, Math.floor(size.width * scale));
  const height = Math.max(1, Math.floor(size.height * scale));
  return { tokens: limit, width, height, rule: `Doubao detail:${mode} ceil(${size.width}×${size.height} / 784) = ${raw}, capped at ${limit} tokens` };
}

function gemini(size: Size) {
  if (size.width <= 384 && size.height <= 384) {
    return { tokens: 258, ...size, rule: `Gemini ${size.width}×${size.height} (both sides ≤ 384) = 258 tokens` };
  }
  const cols = Math.ceil(size.width / 768);
  const rows = Math.ceil(size.height / 768);
  const tokens = cols * rows * 258;
  return { tokens, ...size, rule: `Gemini ${size.width}×${size.height} → ${cols}×${rows} tiles of 768 px × 258 = ${tokens} tokens` };
}

function validSize(size: Size | undefined): size is Size {
  return !!size && Number.isFinite(size.width) && Number.isFinite(size.height) && size.width > 0 && size.height > 0;
}

/** Image input tokens for one image of `size` (undefined → DEFAULT_IMAGE_SIZE, marked estimated). */
export function imageTokens(family: VisionFamily, size: Size | undefined, options: ImageTokenOptions = {}): ImageTokenResult {
  const known = validSize(size);
  const input = known ? { width: Math.round(size.width), height: Math.round(size.height) } : { ...DEFAULT_IMAGE_SIZE };
  const detail: ImageDetail = options.detail ?? 'auto';
  const cap = options.maxTokensPerImage;
  let result: { tokens: number; width: number; height: number; rule: string };
  let estimated = !known;
  switch (family) {
    case 'qwen-vl':
      result = patches('Qwen-VL', input, 28, options, { minTokens: 4, maxTokens: 1280 });
      break;
    case 'qwen3-vl':
      result = patches('Qwen3-VL', input, 32, options, { minTokens: 3, maxTokens: 8192 });
      break;
    case 'deepseek':
      // No published rule: Qwen-style 28-px patches capped at 1,024 tokens (providers.md measured 800×800 ≈ 432).
      result = patches('DeepSeek (estimate, Qwen-style)', input, 28, options, { minTokens: 4, maxTokens: 1024 });
      estimated = true;
      break;
    case 'openai-tiles':
      result = openaiTiles(input, detail);
      break;
    case 'anthropic':
      result = anthropic(input, cap ?? 1600);
      break;
    case 'doubao':
      result = doubao(input, detail, cap);
      break;
    case 'gemini':
      result = gemini(input);
      break;
  }
  if (cap !== undefined && cap > 0 && result.tokens > cap) {
    result = { ...result, tokens: cap, rule: `${result.rule}, capped at ${cap} tokens per image` };
  }
  const assumed = known ? '' : `size unknown, assumed ${input.width}×${input.height}: `;
  return { ...result, estimated, rule: assumed + result.rule };
}

/** Which image-token rule applies to a model, or undefined when it takes no images (or none is known). */
export function visionFamilyFor(presetId: string, modelId: string): VisionFamily | undefined {
  const preset = presetId.toLowerCase();
  const model = modelId.toLowerCase();
  const qwen = (): VisionFamily | undefined => {
    if (/qwen3[.\-_]?\d*[.\-_]?vl|ocr/.test(model)) return 'qwen3-vl'; // Qwen3-VL and qwen-vl-ocr: 32-px patches
    if (/vl|qvq/.test(model)) return 'qwen-vl';
    return undefined;
  };
  switch (preset) {
    case 'qwen':
      return qwen();
    case 'openai':
      return 'openai-tiles';
    case 'anthropic':
    case 'doubao':
    case 'gemini':
    case 'deepseek':
      return preset;
  }
  // Other presets (e.g. openai-compatible aggregators): go by the model name.
  if (model.includes('qwen')) return qwen();
  if (model.startsWith('claude')) return 'anthropic';
  if (model.startsWith('gemini')) return 'gemini';
  if (/^(?:gpt-4o|gpt-4\.1|gpt-5|chatgpt-4o)/.test(model)) return 'openai-tiles';
  if (model.startsWith('doubao')) return 'doubao';
  return undefined;
}

function detailOf(value: string | undefined): ImageDetail | undefined {
  return value === 'low' || value === 'high' || value === 'auto' ? value : undefined;
}

/**
 * Tokens for a canonical `image_url` part. The size comes from a data URL's header bytes; a remote URL is not
 * fetched: it is costed at DEFAULT_IMAGE_SIZE (1024×1024) and marked estimated. The part's own `detail` wins
 * over `options.detail`.
 */
export function imageTokensForPart(
  family: VisionFamily,
  part: { image_url: { url: string; detail?: string } },
  options: ImageTokenOptions = {},
): ImageTokenResult {
  const size = imageSizeFromDataUrl(part.image_url.url);
  const detail = detailOf(part.image_url.detail) ?? options.detail;
  return imageTokens(family, size ? { width: size.width, height: size.height } : undefined, detail ? { ...options, detail } : options);
}
