import { widgetSuite } from './widget-suite.ts';

widgetSuite('webkit');
