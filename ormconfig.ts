/**
 * The DataSource for the TypeORM CLI, e.g. after `npm run build`:
 *   DATABASE_URL=mysql://… npx typeorm migration:show -d dist/ormconfig.js
 * The server and `roster migrate` run the same migrations themselves at start.
 */
import { loadConfig } from './src/config/load';
import { createDataSource } from './src/adapters/storage/data-source';

export default createDataSource(loadConfig().databaseUrl);
