import { github } from './github';
import type { SchemeName, Sender } from './sender';
import { shopify } from './shopify';
import { slack } from './slack';
import { standardWebhooks } from './standard-webhooks';
import { stripe } from './stripe';

export { SCHEMES, type Identified, type SchemeName, type Sender, type SignatureVerdict, type VerifyInput } from './sender';

/** Every sender's scheme by name. */
export const SENDERS: Readonly<Record<SchemeName, Sender>> = {
  stripe,
  github,
  'standard-webhooks': standardWebhooks,
  shopify,
  slack,
};
