export declare const root: string;
export declare const CONSOLE_INDEX: string;
export declare function consoleBundleIsStale(): boolean;
export declare function buildConsole(): void;
