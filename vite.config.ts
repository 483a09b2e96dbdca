/**
 * Builds the widget (`vite build`) into dist/widget:
 *  - iys-consent.js: one self-contained, minified ES module, Lit included, no further chunks
 *    (what the collector serves at /iys-consent.js);
 *  - iys-consent.lit-external.js: the same with `lit` left as an import, for bundlers;
 *  - a .d.ts for each.
 * The size budget (9 KB gzip, Lit included) is checked by test/unit/widget-size.test.ts.
 */
import { copyFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { build, defineConfig, type InlineConfig, type Plugin } from 'vite';

const root = import.meta.dirname;
const entry = resolve(root, 'widget/index.ts');

/** Bytes the browser never needs, dropped from the bundle only (the sources stay readable). */
export const squeeze = (): Plugin => ({
  name: 'iys-widget-squeeze',
  transform(code, id) {
    // The normaliser's English `message` is for API clients; the widget shows its own text by `code`.
    if (id.endsWith('/shared/recipient.ts')) return code.replace(/,\s*message: (['"`])(?:(?!\1).)*\1/g, '');
    // Lit's messages for misusing `css` and `html` directly, which this element never does.
    if (/node_modules\/(@lit\/reactive-element|lit-html)\//.test(id)) return code.replace(/Error\("[^"]*"(\+\w+\+"[^"]*")?\)/g, 'Error("lit")');
    if (id.endsWith('/widget/styles.ts')) {
      return code.replace(/css`([^`]*)`/, (_, text: string) =>
        'css`' + text.replace(/\/\*[^]*?\*\//g, '').replace(/\s+/g, ' ').replace(/ ?([{};:,>]) ?/g, '$1').replace(/;}/g, '}').trim() + '`',
      );
    }
    return undefined;
  },
});

const bundle = (fileName: string, litExternal: boolean, outDir = resolve(root, 'dist/widget')): InlineConfig => ({
  root,
  configFile: false,
  publicDir: false,
  logLevel: 'warn',
  plugins: [squeeze()],
  // Lit's production build whatever NODE_ENV says (vitest sets `test`, which would pick dev mode).
  mode: 'production',
  resolve: { conditions: ['module', 'browser', 'production'] },
  build: {
    outDir,
    emptyOutDir: !litExternal,
    minify: !litExternal,
    target: 'es2022',
    lib: { entry, formats: ['es'], fileName: () => fileName },
    rolldownOptions: {
      external: litExternal ? [/^lit(\/|$)/, /^@lit\//] : [],
      output: { codeSplitting: false, minify: !litExternal },
    },
  },
});

/** Annotations for a later bundler; the self-contained file has none after it. */
const dropPureMarks = (): Plugin => ({
  name: 'iys-drop-pure-marks',
  apply: 'build',
  generateBundle(_, bundle) {
    for (const chunk of Object.values(bundle)) {
      if (chunk.type === 'chunk') chunk.code = chunk.code.replaceAll('/* @__PURE__ */ ', '');
    }
  },
});

/** After the self-contained build: the lit-external one and the typings. */
const secondBuild = (): Plugin => {
  let outDir = '';
  return {
    name: 'iys-lit-external-and-types',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(root, config.build.outDir); // honours an outDir given on the command line or by a test
    },
    async closeBundle() {
      await build(bundle('iys-consent.lit-external.js', true, outDir));
      for (const name of ['iys-consent.d.ts', 'iys-consent.lit-external.d.ts']) {
        copyFileSync(resolve(root, 'widget/types.d.ts'), resolve(outDir, name));
      }
    },
  };
};

const { configFile: _, ...main } = bundle('iys-consent.js', false);
export default defineConfig({ ...main, plugins: [squeeze(), secondBuild(), dropPureMarks()] });
