import { widgetSuite } from './widget-suite.ts';

widgetSuite('firefox');
