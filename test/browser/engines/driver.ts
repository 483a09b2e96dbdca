/**
 * The thin driver the widget's browser scenarios are written against, once, for three engines:
 * Chromium through Playwright, Firefox ESR through puppeteer-core (WebDriver BiDi), WebKitGTK
 * through selenium-webdriver (WebKitWebDriver under Xvfb). Each adapter in this folder does these
 * few things with its library's own trusted input, so a click or a key press is the browser's,
 * not a synthetic DOM event.
 */
export const ENGINES = ['chromium', 'firefox', 'webkit'] as const;
export type Engine = (typeof ENGINES)[number];

/** A CSS selector; ` >>> ` steps into the open shadow root of the element matched before it. */
export type Selector = string;
export type Key = 'Tab' | 'Space' | 'Enter';

export interface Page {
  readonly engine: Engine;
  /** Loads the URL and waits for its load event. */
  goto(url: string): Promise<void>;
  /** Back in the session history, waiting for the page to load. */
  back(): Promise<void>;
  /**
   * Runs `fn` in the page with JSON arguments and returns its (awaited, JSON) result. `fn` is sent
   * as source: it must not close over anything of the test's.
   */
  evaluate<R, A extends unknown[]>(fn: (...args: A) => R, ...args: A): Promise<Awaited<R>>;
  /** A real click in the middle of the first element matching. */
  click(selector: Selector): Promise<void>;
  /** Clears the first element matching and types `text` into it. */
  fill(selector: Selector, text: string): Promise<void>;
  /** One key press, to whatever has the focus. */
  press(key: Key): Promise<void>;
  /** Types text, key by key, to whatever has the focus. */
  type(text: string): Promise<void>;
  /**
   * Errors the page reported (uncaught exceptions, console errors) as the engine's protocol tells
   * them; null where it cannot (classic WebDriver has no console), where scenarios rely on the
   * page's own listeners instead.
   */
  readonly errors: string[] | null;
  close(): Promise<void>;
}

export interface Browser {
  readonly engine: Engine;
  /** A page in a fresh context (cookies and storage of its own) where the engine has them. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export type LaunchOptions = {
  /** IANA time zone the page's clock runs in (the browser process's TZ, or Chromium's emulation). */
  timeZone: string;
};

/** Splits a selector into the steps between shadow roots. */
export const shadowSteps = (selector: Selector): string[] => selector.split(' >>> ').map((s) => s.trim());

/**
 * `fn` applied to `args`, as an expression any engine evaluates to a promise of the result's JSON
 * text. JSON both ways: each protocol has its own way with objects (BiDi keeps shared references
 * apart, and one of them got lost in puppeteer's copy), so none is relied on.
 */
export const callExpression = (fn: (...args: never[]) => unknown, args: unknown[]): string =>
  `Promise.resolve().then(() => (${fn.toString()})(...${JSON.stringify(args)})).then((v) => JSON.stringify(v))`;

/** The result of a callExpression, back from its JSON text (no text: undefined, which JSON cannot say). */
export const fromJson = (text: unknown): never => (typeof text == 'string' ? JSON.parse(text) : undefined) as never;
