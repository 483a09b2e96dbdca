/**
 * Builds the widget (`vite build`) into dist/widget:
 *  - iys-consent.js: one self-contained, minified ES module, Lit included, no further chunks
 *    (what the collector serves at /iys-consent.js);
 *  - iys-consent.lit-external.js: the same with `lit` left as an import, for bundlers;
 *  - a .d.ts for each.
 * The size budget (8 KB gzip, Lit included) is checked by test/unit/widget-size.test.ts.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compileLitTemplates } from '@lit-labs/compiler';
import ts from 'typescript';
import { build, defineConfig, type InlineConfig, type Plugin } from 'vite';

const root = import.meta.dirname;
const entry = resolve(root, 'widget/index.ts');

type Rewrite = {
  /** The module, by the end of its path. */
  module: string;
  /** How many replacements it must make: any other count means the source changed under it (a Lit upgrade). */
  hits: number;
  pattern: RegExp;
  to: string | ((match: string, ...groups: string[]) => string);
};

/** Squeezes the whitespace out of the stylesheet's text. */
const tightCss = (_: string, text: string): string =>
  'CSS = `' + text.replace(/\/\*[^]*?\*\//g, '').replace(/\s+/g, ' ').replace(/ ?([{};:,>]) ?/g, '$1').replace(/;}/g, '}').trim() + '`';

/**
 * Bytes the browser never needs, dropped from the bundle only (the sources stay readable). The
 * 8 KB budget depends on them, so each one counts its replacements and the build throws when a
 * count differs: a rewrite that silently stops matching would otherwise only show as a size
 * failure, or not at all, and one that matches more than it was written for may cut a live path.
 */
const RE = '/node_modules/@lit/reactive-element/reactive-element.js';
const LH = '/node_modules/lit-html/lit-html.js';
const SSR = '/node_modules/lit-html/private-ssr-support.js';
/** The part classes a prepared template names (@lit-labs/compiler takes them from private-ssr-support). */
const PART_CLASSES = ['AttributePart', 'PropertyPart', 'BooleanAttributePart', 'EventPart'];
/** The keys of lit-html's private exports that hold those classes, as private-ssr-support reads them. */
const partKeys = (): string[] => {
  const ssr = readFileSync(resolve(root, 'node_modules/lit-html/private-ssr-support.js'), 'utf8');
  return PART_CLASSES.map((part) => new RegExp(`\\b${part}:\\w+\\.(\\w+)`).exec(ssr)![1]!);
};

export const REWRITES: readonly Rewrite[] = [
  // The normaliser's English `message`s are for API clients; the widget shows its own text by `code`.
  { module: '/shared/recipient.ts', hits: 7, pattern: /,\s*message: (['"`])(?:(?!\1).)*\1/g, to: '' },
  // Lit's messages for misusing `css` and `html` directly, which this element never does.
  { module: '/node_modules/@lit/reactive-element/css-tag.js', hits: 2, pattern: /Error\("[^"]*"(\+\w+\+"[^"]*")?\)/g, to: 'Error("lit")' },
  { module: '/node_modules/lit-html/lit-html.js', hits: 1, pattern: /Error\("[^"]*"(\+\w+\+"[^"]*")?\)/g, to: 'Error("lit")' },
  // Lit's test for adoptedStyleSheets, and with it the <style>-element fallback and the `css` tag's
  // CSSResult: every browser with form-associated custom elements (ElementInternals, which this
  // element needs) adopts stylesheets, save Firefox 98-100; and a <style> element is what a strict CSP forbids.
  { module: '/node_modules/@lit/reactive-element/css-tag.js', hits: 1, pattern: /\b(\w+)=\w+\.ShadowRoot&&[^,]*?"replace"in CSSStyleSheet\.prototype/g, to: (_, name) => `${name}=!0` },
  { module: '/widget/styles.ts', hits: 1, pattern: /CSS = `([^`]*)`/g, to: tightCss },
  // ReactiveElement features for authors of other elements, unused by this one, which declares
  // `static properties` of String and Boolean type, none reflected, and uses no decorator,
  // controller or initializer:
  // - decorator metadata (Symbol.metadata, litPropertyMetadata);
  { module: RE, hits: 1, pattern: /Symbol\.metadata\?\?=Symbol\("metadata"\),\w+\.litPropertyMetadata\?\?=new WeakMap;/g, to: '' },
  { module: RE, hits: 1, pattern: /const (\w+)=this\[Symbol\.metadata\];if\(null!==\1\)\{[^}]*\}/g, to: '' },
  // - initializers (addInitializer, for decorators);
  { module: RE, hits: 1, pattern: /static addInitializer\(\w+\)\{[^}]*\}/g, to: '' },
  { module: RE, hits: 1, pattern: /void 0!==(\w+)\.l&&\(this\.l=\[\.\.\.\1\.l\]\),/g, to: '' },
  { module: RE, hits: 1, pattern: /,this\.constructor\.l\?\.forEach\(\w+=>\w+\(this\)\)/g, to: '' },
  // - reactive controllers (addController and the host* calls);
  { module: RE, hits: 1, pattern: /addController\(\w+\)\{[^}]*\}removeController\(\w+\)\{[^}]*\}/g, to: '' },
  { module: RE, hits: 4, pattern: /this\._\$EO\?\.forEach\((\w+)=>\1\.host\w+\?\.\(\)\)/g, to: '0' },
  // - reflecting properties to attributes, and the converters of Number, Object and Array.
  { module: RE, hits: 1, pattern: /_\$ET\(\w+,\w+\)\{const [^}]*\}\}/g, to: '' },
  { module: RE, hits: 1, pattern: /this\._\$Eq&&=this\._\$Eq\.forEach\(\w+=>this\._\$ET\(\w+,this\[\w+\]\)\),/g, to: '' },
  { module: RE, hits: 1, pattern: /,!0===\w+&&this\._\$Em!==\w+&&\(this\._\$Eq\?\?=new Set\)\.add\(\w+\)/g, to: '' },
  { module: RE, hits: 1, pattern: /(\w+)=\{toAttribute\([^]*?\}return \w+\},fromAttribute\([^]*?\}return \w+\}\}/g, to: (_, name) => `${name}={fromAttribute:(v,type)=>type===Boolean?v!==null:v}` },
  // - properties with useDefault, and accessors of the class's own that Lit would wrap;
  { module: RE, hits: 1, pattern: /this\.prototype\.hasOwnProperty\(\w+\)&&\(\(\w+=Object\.create\(\w+\)\)\.wrapped=!0\),/g, to: '' },
  { module: RE, hits: 1, pattern: /const (\w+)=this\.constructor\.elementProperties;if\(\1\.size>0\)for\([^{]*\{const\{wrapped:\w+\}=[^}]*\}/g, to: '' },
  { module: RE, hits: 1, pattern: /C\((\w+),(\w+),\{useDefault:[^}]*\},\w+\)\{[^]*?this\._\$AL\.set\(\1,\2\)\)\)\}/g, to: (_, k, old) => `C(${k},${old}){this._$AL.has(${k})||(this.hasUpdated||(${old}=void 0),this._$AL.set(${k},${old}))}` },
  { module: RE, hits: 1, pattern: /\|\|\w+\.useDefault&&\w+\.reflect&&\w+===this\._\$Ej\?\.get\(\w+\)&&!this\.hasAttribute\(\w+\._\$Eu\(\w+,\w+\)\)/g, to: '' },
  { module: RE, hits: 1, pattern: /=(\w+)\?\?this\._\$Ej\?\.get\(\w+\)\?\?\1,/g, to: (_, v) => `=${v},` },
  { module: RE, hits: 1, pattern: /\w+=\w+\.trustedTypes,\w+=\w+\?\w+\.emptyScript:"",/g, to: '' },
  // - a styles array to flatten: this element has one stylesheet.
  { module: RE, hits: 1, pattern: /static finalizeStyles\((\w+)\)\{[^]*?return \w+\}/g, to: (_, s) => `static finalizeStyles(${s}){return ${s}?[${s}]:[]}` },
  // lit-html's runtime template preparation: every template of the element is prepared at build
  // time (precompile(), which checks that none is left), so the HTML scanner, the part finder
  // and the template cache go, and lit-html's private exports keep the four part classes the
  // prepared templates use (attribute, property, boolean attribute, event).
  { module: LH, hits: 1, pattern: /class (\w+)\{constructor\(\{strings:[^]*?\}(static createElement)/g, to: (_, cls, rest) => `class ${cls}{${rest}` },
  { module: LH, hits: 1, pattern: /"number"==typeof (\w+)\?this\._\$AC\(\w+\):/g, to: '' },
  { module: LH, hits: 1, pattern: /_\$AC\(\w+\)\{[^}]*\}/g, to: '' },
  {
    module: LH,
    hits: 1,
    pattern: /const (\w+)=\{M:[^}]*\}/g,
    to: (whole, name) => {
      const keep = partKeys();
      return `const ${name}={${whole.slice(whole.indexOf('{') + 1, -1).split(',').filter((e) => keep.includes(e.split(':')[0]!)).join(',')}}`;
    },
  },
  {
    module: SSR,
    hits: 1,
    pattern: /const (\w+)=\{boundAttributeSuffix:[^]*\};export/g,
    to: (whole, name) => `const ${name}={${PART_CLASSES.map((part) => `${part}:${new RegExp(`\\b${part}:(\\w+\\.\\w+)`).exec(whole)![1]}`).join(',')}};export`,
  },
  // - directives and bindings on an element itself, which the element never uses.
  { module: LH, hits: 1, pattern: /function (\w+)\(\w+,(\w+),\w+=\w+,\w+\)\{if\(\2===\w+\)return \2;[^]*?_\$litDirective\$[^]*?,\2\}/g, to: (_, f, v) => `function ${f}(_,${v}){return ${v}}` },
  { module: LH, hits: 1, pattern: /:6===\w+\.type&&\(\w+=new \w+\(\w+,this,\w+\)\)/g, to: ':0' },
  // - the bookkeeping of async directives (connection state, disconnectables).
  { module: LH, hits: 3, pattern: /get _\$AU\(\)\{return this\._\$AM(\?\.)?\._\$AU(\?\?this\._\$Cv)?\}/g, to: '' },
  { module: LH, hits: 4, pattern: /this\._\$AN=void 0,/g, to: '' },
  // Lit's hooks for the ShadyDOM polyfills, SSR hydration and its version registry (for devtools
  // and the dev-mode warning about two Lit copies): this element needs a browser with
  // ElementInternals, which those polyfills do not give, and it is never server-rendered.
  ...(['@lit/reactive-element/reactive-element.js', 'lit-html/lit-html.js', 'lit-element/lit-element.js'] as const).flatMap((file) => {
    const module = `/node_modules/${file}`;
    const hooks = file.startsWith('lit-element') ? 3 : 2;
    return [
      { module, hits: 1, pattern: /\(\w+\.\w+Versions\?\?=\[\]\)\.push\("[\d.]+"\)/g, to: '0' },
      { module, hits: hooks - 1, pattern: /\w+\.\w+(PolyfillSupport|HydrateSupport)\b/g, to: '(void 0)' },
    ];
  }),
];

/**
 * Lit's templates prepared at build time (@lit-labs/compiler): the browser no longer scans each
 * template's HTML with lit-html's regular expressions before the first render, the largest part of
 * the time from script to usable checkboxes. Only where Lit is bundled in: the prepared templates
 * use lit-html's private part classes, which must come from the same Lit as the renderer.
 */
export const precompile = (): Plugin => ({
  name: 'iys-lit-precompile',
  enforce: 'pre',
  transform(code, id) {
    if (!id.endsWith('/widget/iys-consent.ts')) return undefined;
    const out = ts.transpileModule(code, {
      fileName: id,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, useDefineForClassFields: true },
      transformers: { before: [compileLitTemplates()] },
    }).outputText;
    // The bundle keeps no runtime template preparation (REWRITES): a template left unprepared would not render.
    if (/\bhtml`/.test(out)) throw new Error(`iys-lit-precompile: a template in ${id} was not prepared at build time`);
    return { code: out, map: null };
  },
});

export const squeeze = (rewrites: readonly Rewrite[] = REWRITES): Plugin => {
  const seen = new Set<Rewrite>();
  return {
    name: 'iys-widget-squeeze',
    buildStart() {
      seen.clear();
    },
    transform(code, id) {
      const mine = rewrites.filter((r) => id.endsWith(r.module));
      if (!mine.length) return undefined;
      for (const r of mine) {
        let hits = 0;
        code = code.replace(r.pattern, (...args: string[]) => {
          hits++;
          return typeof r.to == 'string' ? r.to : r.to(...(args as [string, ...string[]]));
        });
        if (hits !== r.hits) {
          throw new Error(`iys-widget-squeeze: ${r.pattern} made ${hits} of its ${r.hits} replacements in ${r.module}; the source changed, update the rewrite (the 8 KB budget depends on it)`);
        }
        seen.add(r);
      }
      return code;
    },
    buildEnd(error) {
      const missed = error ? [] : rewrites.filter((r) => !seen.has(r));
      if (missed.length) throw new Error(`iys-widget-squeeze: no module ${missed.map((r) => r.module).join(', ')} in the build; the source moved, update the rewrite`);
    },
  };
};

const bundle = (fileName: string, litExternal: boolean, outDir = resolve(root, 'dist/widget')): InlineConfig => ({
  root,
  configFile: false,
  publicDir: false,
  logLevel: 'warn',
  // With lit external there is no Lit source to rewrite.
  plugins: litExternal ? [squeeze(REWRITES.filter((r) => !r.module.startsWith('/node_modules/')))] : [precompile(), squeeze()],
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

/** Annotations for a later bundler (and vite's own), which the self-contained file has none of after it. */
const dropPureMarks = (): Plugin => ({
  name: 'iys-drop-pure-marks',
  apply: 'build',
  generateBundle(_, bundle) {
    for (const chunk of Object.values(bundle)) {
      if (chunk.type === 'chunk') chunk.code = chunk.code.replaceAll('/* @__PURE__ */ ', '').replaceAll('\n/* @vite-ignore */\n', '');
    }
  },
});

/**
 * V8's explicit compile hint (Chromium 136+; other engines read a comment): compile every function
 * of the file while it streams in, off the main thread, instead of each one on its first call,
 * which the first render makes of most of them. It must open the file.
 */
export const COMPILE_HINT = '//# allFunctionsCalledOnLoad\n';
const compileHint = (): Plugin => ({
  name: 'iys-compile-hint',
  apply: 'build',
  generateBundle(_, bundle) {
    for (const chunk of Object.values(bundle)) {
      if (chunk.type === 'chunk') chunk.code = COMPILE_HINT + chunk.code;
    }
  },
});

/**
 * The code step of verify="sms" (widget/verify-step.ts): a file of its own beside the bundle, which
 * the element imports only when a consent awaits its code, so pages without `verify` never load it.
 * It uses no Lit and imports nothing.
 */
export const VERIFY_STEP_FILE = 'iys-consent-verify.js';
const verifyStepBundle = (outDir: string): InlineConfig => ({
  root,
  configFile: false,
  publicDir: false,
  logLevel: 'warn',
  mode: 'production',
  build: {
    outDir,
    emptyOutDir: false,
    minify: true,
    target: 'es2022',
    lib: { entry: resolve(root, 'widget/verify-step.ts'), formats: ['es'], fileName: () => VERIFY_STEP_FILE },
    rolldownOptions: { output: { codeSplitting: false, minify: true } },
  },
});

/** After the self-contained build: the lit-external one, the code step and the typings. */
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
      await build(verifyStepBundle(outDir));
      for (const name of ['iys-consent.d.ts', 'iys-consent.lit-external.d.ts']) {
        copyFileSync(resolve(root, 'widget/types.d.ts'), resolve(outDir, name));
      }
    },
  };
};

const { configFile: _, ...main } = bundle('iys-consent.js', false);
export default defineConfig({ ...main, plugins: [precompile(), squeeze(), secondBuild(), dropPureMarks(), compileHint()] });
