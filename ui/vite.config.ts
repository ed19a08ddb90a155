import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The dashboard: built into dist/ui, served by the gateway at / (src/http/static-ui.ts). No CDN at run time. */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      output: {
        // Libraries in their own hashed files: a new build of the app leaves them cached in browsers.
        manualChunks(id) {
          if (/node_modules[\\/](echarts|zrender|tslib)[\\/]/.test(id)) return 'echarts';
          if (/node_modules[\\/](react|react-dom|scheduler)[\\/]/.test(id)) return 'react';
          return undefined;
        },
      },
    },
  },
  logLevel: 'warn',
});
