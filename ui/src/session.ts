/** The admin key lives in sessionStorage only: closing the tab signs out. Preferences live in localStorage. */
const KEY = 'tidegate.adminKey';

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeKey(key: string | null): void {
  try {
    if (key === null) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, key);
  } catch {
    // Storage disabled: the key lasts as long as the page.
  }
}

export function preference(name: string): string | null {
  try {
    return localStorage.getItem(`tidegate.${name}`);
  } catch {
    return null;
  }
}

export function remember(name: string, value: string): void {
  try {
    localStorage.setItem(`tidegate.${name}`, value);
  } catch {
    // Not remembered; the choice still applies to this page.
  }
}
