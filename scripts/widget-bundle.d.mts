export declare const root: string;
export declare const WIDGET_BUNDLE: string;
export declare function widgetBundleIsStale(): boolean;
export declare function buildWidget(): void;
