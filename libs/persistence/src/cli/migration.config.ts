import { Matches } from 'class-validator';
import { CommonConfig } from '@activity/config';

export class MigrationConfig extends CommonConfig {
  /** The schema owner's connection: migrations create tables, policies and the application role. */
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_ADMIN_URL: string = 'postgres://postgres@127.0.0.1:5432/activity';
}
