import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {profileListText} from '../../cli/profile-output.js'
import {getCatalog} from '../../core/catalog/index.js'
import {ProfileSelectionSchema} from '../../core/config/schema.js'

export default class ProfileList extends BaseCommand {
  static override summary = 'List the built-in routing profiles.'

  static override description = `A profile document starts from one of these (\`profile.default\`) and may pick another per task (\`profile.per_task\`). \`router profile show NAME\` prints a profile's routes.

--json prints [{"name", "description", "default"}].`

  static override examples = [
    {description: 'The profiles and what they are for', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'As JSON', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override flags = {
    json: Flags.boolean({description: 'Print the list as JSON.', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ProfileList)
    const {profiles} = getCatalog()
    const defaultName = ProfileSelectionSchema.parse({}).default
    if (flags.json) {
      this.printJson(
        profiles.map((profile) => ({
          name: profile.name,
          description: profile.description,
          default: profile.name === defaultName,
        })),
      )
      return
    }
    process.stdout.write(profileListText(profiles, defaultName) + '\n')
  }
}
