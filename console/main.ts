/** The console's entry: its stylesheet and its one element (app.ts), which brings the rest. */
import './styles.css';
import './app.ts';
