import type { Config } from './config.ts';
import type { ConsentStore } from '../stores/store.ts';

/**
 * IYS_NOTICE_POLICY=require with no text registered refuses every web consent (422 unknown-notice):
 * a setting that is right but not yet usable, so `check-config` warns and `serve` logs it once,
 * neither refuses to start (the operator registers the texts on a running collector).
 */
export async function emptyRegistryWarning(config: Pick<Config, 'noticePolicy'>, store: Pick<ConsentStore, 'proof'>): Promise<string | null> {
  if (config.noticePolicy !== 'require') return null;
  if ((await store.proof().allNotices()).length > 0) return null;
  return 'IYS_NOTICE_POLICY=require and no notice text is registered: every web consent is refused (422 unknown-notice) until one is (POST /v1/admin/notices)';
}
