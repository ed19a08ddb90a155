import { useCallback, useEffect, useState } from 'react';
import { storedKey } from './session';

/** An error answer from the gateway, in OpenAI's error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** 401/403: the key is missing, wrong or not the admin key; the app returns to sign-in. */
  get isAuth(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

type Params = Record<string, string | number | null | undefined>;

let onAuthFailure: (error: ApiError) => void = () => undefined;

/** The app shell registers what to do when any call comes back 401/403. */
export function setAuthFailureHandler(handler: (error: ApiError) => void): void {
  onAuthFailure = handler;
}

export function apiUrl(path: string, params: Params = {}): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== '') query.set(name, String(value));
  const text = query.toString();
  return `${path}${text ? `?${text}` : ''}`;
}

/** GET a JSON admin endpoint with the signed-in key as Bearer. */
export async function apiGet<T>(path: string, params: Params = {}, signal?: AbortSignal, key = storedKey()): Promise<T> {
  const response = await fetch(apiUrl(path, params), { headers: key ? { authorization: `Bearer ${key}` } : {}, signal });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    const failure = new ApiError(response.status, error?.code ?? `http_${response.status}`, error?.message ?? response.statusText);
    if (failure.isAuth) onAuthFailure(failure);
    throw failure;
  }
  return body as T;
}

export type Loaded<T> =
  | { state: 'loading'; data?: undefined; error?: undefined }
  | { state: 'error'; data?: undefined; error: ApiError | Error }
  | { state: 'ok'; data: T; error?: undefined };

/** Load one endpoint; reloads when the URL changes. `path` null waits (e.g. for a lookup to be entered). */
export function useApi<T>(path: string | null, params: Params = {}): Loaded<T> & { reload(): void } {
  const url = path === null ? null : apiUrl(path, params);
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (url === null) return;
    const controller = new AbortController();
    setResult({ state: 'loading' });
    apiGet<T>(url, {}, controller.signal).then(
      (data) => setResult({ state: 'ok', data }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setResult({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
    return () => controller.abort();
  }, [url, generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...result, reload };
}
