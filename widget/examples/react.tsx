// @ts-nocheck: an example for a React project; this repository has no React to check it against.
// Example only (not built): <iys-consent> in a React 19 single-page app. React 19 passes
// attributes and `on…` custom-event props to custom elements; with React 18 add the listeners
// in an effect instead (ref.current.addEventListener('iys-sent', …)).
import 'iys-consent'; // defines <iys-consent> once
import type { IysSentDetail } from 'iys-consent';
import type { FormEvent } from 'react';

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'iys-consent': React.DetailedHTMLProps<React.HTMLAttributes<HTMLElement>, HTMLElement> & {
        collector?: string;
        channels?: string;
        'recipient-field'?: string;
        'recipient-type'?: 'BIREYSEL' | 'TACIR';
        brand?: string;
        mode?: 'consent' | 'withdraw';
        name?: string;
        required?: boolean;
        'oniys-sent'?: (e: CustomEvent<IysSentDetail>) => void;
      };
    }
  }
}

export function SignUp() {
  // The widget sends on the form's submit even though this handler cancels it.
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void fetch('/api/signup', { method: 'POST', body: new FormData(e.currentTarget) });
  };
  return (
    <form onSubmit={onSubmit}>
      <label>
        Telefon <input name="phone" type="tel" autoComplete="tel" />
      </label>
      <iys-consent
        collector="https://collector.example"
        recipient-field="phone"
        channels="MESAJ ARAMA"
        brand="Örnek Mağaza"
        name="iys"
        oniys-sent={(e) => console.log('İYS records queued', e.detail.ids)}
      />
      <button>Kaydol</button>
    </form>
  );
}
