// Started by crash.test.ts: begins storing a revision and kills its own process inside the
// transaction, after the revision row is written and before the audit row is.
import { importArticle } from '../../src/core/import/index.ts';
import { openStore } from '../../src/store/index.ts';

const [dataDir, text] = [process.argv[2] as string, process.argv[3] as string];
const result = importArticle(text, { format: 'markdown' });
if (!result.ok) throw new Error('fixture did not import');
const store = await openStore({ dataDir });
const crash = {
  toJSON() {
    process.kill(process.pid, 'SIGKILL');
    return {};
  },
};
await store.articles.addRevision(
  { article: result.article, rawSha256: 'crash', registeredBy: 'cli:crash', registeredAt: new Date().toISOString() },
  { at: new Date().toISOString(), actor: 'crash', action: 'article.register', detail: { crash } },
);
process.stdout.write('survived\n');
