import type { Readable } from 'node:stream';

/**
 * The whole body of a readable stream as one Buffer, read with plain 'data'/'end' listeners: no async
 * iterator, end-of-stream watcher or per-chunk promise (the `for await` form allocated several objects per
 * request on the hot path). `onTooLarge` is called once the body passes `limitBytes`; the rest is drained
 * and the promise rejects with what it returns. A stream closed before its end rejects.
 */
export function collectBody(stream: Readable, limitBytes = Infinity, onTooLarge?: () => Error): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        stream.resume();
        reject(onTooLarge?.() ?? new RangeError(`body larger than ${limitBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(Object.assign(new Error('the stream closed before its end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
