/** One (model, account) pair of a request's chain, with the adapter that speaks its provider's protocol. */
import type {Account} from '../../core/config/schema.js'
import type {ProviderAdapter} from '../adapters/types.js'

export interface Target {
  model: string
  account: Account
  provider: string
  adapter: ProviderAdapter
}
