import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { inputFromMessages, inputFromPrompt, type ChatMessage, type RouterInput } from '../router/features.js';
import { LinearScorer, readArtifact } from '../router/model.js';
import { DEFAULT_ARTIFACT } from '../router/paths.js';

class LineError extends Error {}

/**
 * One input line as the router's input. The rules are the labels file's (router/labels.ts), so a file that trains
 * also scores: blank and # lines are skipped by the caller, and a problem names what is wrong.
 */
function routerInput(text: string): { id: unknown; input: RouterInput } {
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch (error) {
    throw new LineError(`not valid JSON (${(error as Error).message})`);
  }
  if (!row || typeof row !== 'object' || Array.isArray(row)) throw new LineError('expected a JSON object');
  const { id = null, prompt, messages } = row as { id?: unknown; prompt?: unknown; messages?: unknown };
  if (prompt !== undefined && messages !== undefined) throw new LineError('give "prompt" or "messages", not both');
  if (typeof prompt === 'string') return { id, input: inputFromPrompt(prompt) };
  if (!Array.isArray(messages)) throw new LineError('expected "prompt" (string) or "messages" (array)');
  if (messages.length === 0) throw new LineError('"messages" is empty');
  messages.forEach((message: unknown, index) => {
    if (!message || typeof message !== 'object' || typeof (message as ChatMessage).role !== 'string') throw new LineError(`messages[${index}] needs a string "role"`);
  });
  return { id, input: inputFromMessages(messages as ChatMessage[]) };
}

/**
 * tidegate router score [--model FILE] < in.jsonl: one {"id","score"} line per {"id","prompt"} or {"id","messages"}
 * line; a BOM, blank and # lines are skipped, and a bad line stops with its number (exit 2).
 */
export async function routerScoreLines(argv: string[], input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { model: { type: 'string' } } });
  const scorer = new LinearScorer(readArtifact(values.model ?? DEFAULT_ARTIFACT));
  let line = 0;
  for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    // A file saved by an editor that writes a byte-order mark would otherwise fail on its first line.
    const text = (line === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
    if (!text || text.startsWith('#')) continue;
    let row: ReturnType<typeof routerInput>;
    try {
      row = routerInput(text);
    } catch (error) {
      if (!(error instanceof LineError)) throw error;
      process.stderr.write(`tidegate router score: line ${line}: ${error.message}\n`);
      return 2;
    }
    output.write(`${JSON.stringify({ id: row.id, score: scorer.scoreInput(row.input) })}\n`);
  }
  return 0;
}
