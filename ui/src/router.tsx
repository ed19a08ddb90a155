import { createContext, useCallback, useContext, useEffect, useMemo, useState, type AnchorHTMLAttributes, type ReactNode } from 'react';

/** A small history router: the gateway serves index.html for every page path (src/http/static-ui.ts). */
interface Location {
  path: string;
  search: URLSearchParams;
  navigate(path: string, search?: URLSearchParams, options?: { replace?: boolean }): void;
}

const LocationContext = createContext<Location | null>(null);

function read() {
  return { path: window.location.pathname, search: window.location.search };
}

export function RouterProvider({ children }: { children: ReactNode }) {
  const [location, setLocation] = useState(read);
  useEffect(() => {
    const onPop = () => setLocation(read());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((path: string, search?: URLSearchParams, options: { replace?: boolean } = {}) => {
    const query = search ? search.toString() : window.location.search.replace(/^\?/, '');
    const url = `${path}${query ? `?${query}` : ''}`;
    if (options.replace) window.history.replaceState(null, '', url);
    else window.history.pushState(null, '', url);
    setLocation(read());
  }, []);
  const value = useMemo(() => ({ path: location.path, search: new URLSearchParams(location.search), navigate }), [location, navigate]);
  return <LocationContext.Provider value={value}>{children}</LocationContext.Provider>;
}

export function useLocation(): Location {
  const location = useContext(LocationContext);
  if (!location) throw new Error('useLocation outside RouterProvider');
  return location;
}

/** A link that keeps the query string (range, filters) and navigates without reloading. */
export function Link({ to, children, ...rest }: { to: string; children: ReactNode } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'>) {
  const { navigate, search } = useLocation();
  const query = search.toString();
  return (
    <a
      {...rest}
      href={`${to}${query ? `?${query}` : ''}`}
      onClick={(event) => {
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
