/** Parse a provider body as JSON, or keep the text when it is not JSON (error pages, truncated bodies). */
export function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
