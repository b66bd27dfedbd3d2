/// <reference types="vitest/config" />
// The web application's build. Django serves the result as static files
// (frontend/static/frontend/app/, found by the app's static finder) and renders the app
// shell from the manifest (frontend/assets.py): one view for every route of the app.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  base: "/static/frontend/app/",
  build: {
    outDir: "static/frontend/app",
    emptyOutDir: true,
    manifest: true,
    // GraphiQL brings the Monaco editor (2.8 MB); the app itself stays far below this.
    chunkSizeWarningLimit: 3000,
    rollupOptions: {
      input: { app: "src/main.tsx", graphiql: "src/graphiql/main.tsx" },
      onwarn(warning, warn) {
        // GraphiQL's React-compiler hints ("use no memo") mean nothing to the bundler.
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
  },
});
