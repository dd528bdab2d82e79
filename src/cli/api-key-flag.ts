/** The `--api-key` flag of the commands that talk to a running gateway (`--url`). */
import {Flags} from '@oclif/core'

/** `--api-key KEY`, else $ROUTER_API_KEY: the ingress key, sent as `Authorization: Bearer …`. */
export const apiKeyFlag = Flags.string({
  helpValue: 'KEY',
  env: 'ROUTER_API_KEY',
  description: 'Ingress key for --url (sent as a Bearer token).',
})
