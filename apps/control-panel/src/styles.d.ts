/** esbuild bundles the stylesheet imported by main.tsx into its own .css file. */
declare module '*.css';
