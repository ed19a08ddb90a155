import { describe, expect, it } from 'vitest';
import { BlockIndex, chainedBlockHashes, namespaceHash, promptTokens, renderPrompt, textToTokens } from '../../src/affinity/index.js';

const tokens = (n: number, offset = 0) => Array.from({ length: n }, (_, i) => i + offset);

describe('chained block hashes', () => {
  it('hashes only full blocks, deterministically', () => {
    expect(chainedBlockHashes(tokens(47), 16)).toHaveLength(2);
    expect(chainedBlockHashes(tokens(48), 16)).toEqual(chainedBlockHashes(tokens(48), 16));
    expect(chainedBlockHashes(tokens(48), 16, 0, 1)).toHaveLength(1);
  });

  it('a block hash depends on every block before it', () => {
    const a = tokens(64);
    const b = [...a];
    b[3] = 999; // change block 0 only
    const ha = chainedBlockHashes(a, 16);
    const hb = chainedBlockHashes(b, 16);
    for (let i = 0; i < 4; i++) expect(hb[i]).not.toBe(ha[i]);
    const c = [...a];
    c[40] = 999; // change block 2 only
    const hc = chainedBlockHashes(c, 16);
    expect(hc.slice(0, 2)).toEqual(ha.slice(0, 2));
    expect(hc[2]).not.toBe(ha[2]);
    expect(hc[3]).not.toBe(ha[3]);
  });

  it('the same block at a different position does not match', () => {
    const block = tokens(16);
    const first = chainedBlockHashes(block, 16);
    const second = chainedBlockHashes([...tokens(16, 100), ...block], 16);
    expect(second[1]).not.toBe(first[0]);
  });

  it('a namespace (model) seeds the chain', () => {
    expect(chainedBlockHashes(tokens(16), 16, namespaceHash('model-a'))).not.toEqual(chainedBlockHashes(tokens(16), 16, namespaceHash('model-b')));
  });

  it('tokenises text as 4-byte words and renders roles and tools into the prefix', () => {
    expect(textToTokens('abcdefgh')).toHaveLength(2);
    expect(textToTokens('abcde')).toHaveLength(2);
    expect(textToTokens('你好')).toHaveLength(2); // 6 UTF-8 bytes
    const user = renderPrompt([{ role: 'user', content: 'hi' }]);
    expect(renderPrompt([{ role: 'system', content: 'hi' }])).not.toBe(user);
    expect(renderPrompt([{ role: 'user', content: 'hi' }], [{ type: 'function' }])).not.toBe(user);
    expect(renderPrompt([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }])).toBe(user);
    expect(Array.from(promptTokens({ messages: [{ role: 'user', content: 'hi' }] }))).toEqual(Array.from(textToTokens(user)));
  });
});

describe('BlockIndex', () => {
  it('matches the longest resident leading run', () => {
    const index = new BlockIndex(100);
    const chain = chainedBlockHashes(tokens(160), 16);
    index.insert(chain.slice(0, 6));
    expect(index.matchLength(chain)).toBe(6);
    expect(index.matchLength(chainedBlockHashes(tokens(160, 1), 16))).toBe(0);
  });

  it('stays within capacity and evicts least recently used chains first', () => {
    const index = new BlockIndex(10);
    const a = chainedBlockHashes(tokens(96, 0), 16); // 6 blocks
    const b = chainedBlockHashes(tokens(96, 1000), 16);
    index.insert(a);
    index.insert(b);
    expect(index.size).toBe(10);
    expect(index.matchLength(b)).toBe(6);
    // a was least recent: its tail went first, its head survives
    expect(index.matchLength(a)).toBe(4);
    expect(index.has(a[5]!)).toBe(false);
    index.insert(a); // touching a makes b the older chain
    const c = chainedBlockHashes(tokens(48, 5000), 16);
    index.insert(c);
    expect(index.size).toBe(10);
    expect(index.matchLength(a)).toBe(6);
    expect(index.matchLength(c)).toBe(3);
    expect(index.matchLength(b)).toBe(1);
  });

  it('keeps the head of a chain longer than the capacity', () => {
    const index = new BlockIndex(4);
    const chain = chainedBlockHashes(tokens(160), 16);
    index.insert(chain);
    expect(index.size).toBe(4);
    expect(index.matchLength(chain)).toBe(4);
  });
});
