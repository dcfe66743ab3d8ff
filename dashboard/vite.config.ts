import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Built into dist/dashboard at `npm run build` (so at `npm ci`); the server serves it at /dashboard/.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  // Preact's JSX without a plugin: the automatic runtime from preact/jsx-runtime.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 400,
  },
  // `npm run dev:dashboard`: pages reload as they are edited; the API is the server on 8080 (npm start).
  server: { proxy: { '^/(?!dashboard/)': { target: 'http://127.0.0.1:8080' } } },
  logLevel: 'warn',
});
