// Drives every operation of openapi.yaml through the official TypeScript SDK
// (@llamaindex/llama-cloud, pinned in package.json) against `llamaextract
// emulator`, to check that a program written against the SDK behaves the same
// against the emulator as against LlamaCloud. run.sh installs the SDK into a
// temp dir, starts the emulator on 127.0.0.1 and sets EMULATOR_URL and
// EMULATOR_KEY. Only that loopback URL is ever contacted.
import { readFileSync } from 'node:fs';
import LlamaCloud, { toFile, NotFoundError, UnprocessableEntityError, AuthenticationError, BadRequestError } from '@llamaindex/llama-cloud';

const baseURL = process.env.EMULATOR_URL;
const apiKey = process.env.EMULATOR_KEY;
if (!baseURL || !/^http:\/\/127\.0\.0\.1:\d+$/.test(baseURL) || !apiKey) {
  console.error('conformance: EMULATOR_URL must be http://127.0.0.1:<port> and EMULATOR_KEY set (run it with make conformance)');
  process.exit(2);
}

const client = new LlamaCloud({ apiKey, baseURL, maxRetries: 0, timeout: 20_000 });
const operations = new Set();
let passed = 0;
let failed = 0;

// check runs one call; op names the openapi.yaml operation(s) it drives.
async function check(name, ops, fn) {
  try {
    await fn();
    passed++;
    for (const op of ops) operations.add(op);
    console.log(`ok    ${name}`);
  } catch (err) {
    failed++;
    console.log(`FAIL  ${name}: ${err && err.stack ? err.stack.split('\n').slice(0, 3).join(' | ') : err}`);
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function expectError(promise, Klass, status) {
  try {
    await promise;
  } catch (err) {
    assert(err instanceof Klass, `want ${Klass.name}, got ${err && err.constructor && err.constructor.name}: ${err && err.message}`);
    assert(err.status === status, `want status ${status}, got ${err.status}`);
    return err;
  }
  throw new Error(`want ${Klass.name} (${status}), the call succeeded`);
}

const schema = {
  type: 'object',
  properties: {
    vendor: { type: 'string', description: 'Seller name' },
    total: { type: 'number', description: 'Amount due' },
  },
};
const invoice = 'Vendor: Acme Corp\nTotal: 120.50\n';
const poll = { pollingInterval: 0.05, maxInterval: 0.2, timeout: 30, backoff: 'constant' };
let file, file2, job, cfg;

await check('files.create uploads a document', ['UploadFile'], async () => {
  file = await client.files.create({ file: await toFile(Buffer.from(invoice), 'invoice.txt'), purpose: 'extract', external_file_id: 'inv-1' });
  assert(file.id.startsWith('dfl-') && file.name === 'invoice.txt', `file ${JSON.stringify(file)}`);
  file2 = await client.files.create({ file: await toFile(Buffer.from(invoice), 'second.txt'), purpose: 'user_data' });
});

await check('files.retrieve returns the file', ['GetFile'], async () => {
  const f = await client.files.retrieve(file.id, { expand: ['string'] });
  assert(f.id === file.id && f.external_file_id === 'inv-1', `file ${JSON.stringify(f)}`);
});

await check('files.list pages through every file (page_size 1)', ['ListFiles'], async () => {
  const ids = [];
  for await (const f of client.files.list({ page_size: 1, order_by: 'name' })) ids.push(f.id);
  assert(ids.length === 2 && ids[0] === file.id, `listed ${ids}`);
});

await check('files.query finds the file by name', ['QueryFiles'], async () => {
  const page = await client.files.query({ filter: { file_name: 'invoice.txt' }, order_by: 'created_at desc', page_size: 10 });
  assert(page.items.length === 1 && page.items[0].id === file.id, `page ${JSON.stringify(page)}`);
});

await check('files.content returns a download link (expires_at_seconds 0 is the default)', ['GetFileContent'], async () => {
  const link = await client.files.content(file.id, { expires_at_seconds: 0 });
  assert(link.url.startsWith(baseURL) && link.expires_at, `link ${JSON.stringify(link)}`);
});

await check('extract.validateSchema accepts a schema', ['ValidateExtractSchema'], async () => {
  const v = await client.extract.validateSchema({ data_schema: schema });
  assert(v.data_schema.properties.vendor, `validated ${JSON.stringify(v)}`);
});

await check('extract.generateSchema drafts a configuration', ['GenerateExtractSchema'], async () => {
  const g = await client.extract.generateSchema({ prompt: 'invoice vendor and total' });
  assert(g.parameters.product_type === 'extract_v2' && g.name, `generated ${JSON.stringify(g)}`);
});

await check('configurations.create saves a configuration', ['CreateConfiguration'], async () => {
  cfg = await client.configurations.create({ name: 'invoices', parameters: { product_type: 'extract_v2', data_schema: schema, tier: 'cost_effective' } });
  assert(cfg.id.startsWith('cfg-') && cfg.product_type === 'extract_v2', `configuration ${JSON.stringify(cfg)}`);
});

await check('configurations.retrieve returns it', ['GetConfiguration'], async () => {
  const c = await client.configurations.retrieve(cfg.id);
  assert(c.id === cfg.id && c.name === 'invoices', `configuration ${JSON.stringify(c)}`);
});

await check('configurations.update renames it', ['UpdateConfiguration'], async () => {
  const c = await client.configurations.update(cfg.id, { name: 'invoices-v2' });
  assert(c.name === 'invoices-v2', `configuration ${JSON.stringify(c)}`);
});

await check('configurations.list finds it', ['ListConfigurations'], async () => {
  const names = [];
  for await (const c of client.configurations.list({ product_type: ['extract_v2'], page_size: 0 })) names.push(c.name);
  assert(names.includes('invoices-v2'), `listed ${names}`);
});

await check('extract.create starts a job with an inline configuration', ['CreateExtractJob'], async () => {
  job = await client.extract.create({ file_input: file.id, configuration: { data_schema: schema, cite_sources: true } });
  assert(job.id.startsWith('ext-') && job.file_input === file.id, `job ${JSON.stringify(job)}`);
});

await check('extract.waitForCompletion polls to COMPLETED with the result', ['GetExtractJob'], async () => {
  const done = await client.extract.waitForCompletion(job.id, { expand: ['extract_metadata'] }, poll);
  assert(done.status === 'COMPLETED' && done.extract_result && done.extract_result.vendor === 'Acme Corp', `job ${JSON.stringify(done)}`);
  assert(done.extract_metadata && done.extract_metadata.field_metadata, 'no extract_metadata');
});

await check('extract.get with every expand, plus one the service does not know', ['GetExtractJob'], async () => {
  const j = await client.extract.get(job.id, { expand: ['configuration', 'extract_metadata', 'usage', 'string'] });
  assert(j.configuration && j.configuration.cite_sources === true && j.usage, `job ${JSON.stringify(j)}`);
});

await check('extract.run with a saved configuration', ['CreateExtractJob', 'GetExtractJob'], async () => {
  const j = await client.extract.run({ file_input: file2.id, configuration_id: cfg.id }, poll);
  assert(j.status === 'COMPLETED' && j.configuration_id === cfg.id, `job ${JSON.stringify(j)}`);
});

await check('extract.list pages through every job (page_size 1)', ['ListExtractJobs'], async () => {
  const ids = [];
  for await (const j of client.extract.list({ page_size: 1, expand: ['configuration'], document_input_type: 'file_id' })) ids.push(j.id);
  assert(ids.length === 2 && new Set(ids).size === 2, `listed ${ids}`);
});

await check('extract.list with a kind no job has is an empty page', ['ListExtractJobs'], async () => {
  const page = await client.extract.list({ document_input_type: 'url' });
  assert(page.items.length === 0, `page ${JSON.stringify(page.items)}`);
});

await check('null list filters (sent as key=) and a date-only created_at are accepted', ['ListExtractJobs', 'ListFiles'], async () => {
  const jobs = await client.extract.list({ job_ids: null, created_at_on_or_after: '2000-01-01', created_at_on_or_before: '2100-01-01 00:00' });
  assert(jobs.items.length === 0, `job_ids= matched ${jobs.items.length} jobs, want none`);
  const all = await client.extract.list({ created_at_on_or_after: '2000-01-01' });
  assert(all.items.length > 0, 'a date-only created_at_on_or_after dropped every job');
  const files = await client.files.list({ expand: null, external_file_id: null });
  assert(files.items.length > 0, `files ${JSON.stringify(files.items)}`);
});

await check('extract.cancel stops a running job', ['CancelExtractJob'], async () => {
  const running = await client.extract.create({ file_input: file.id, configuration: { data_schema: schema } });
  const c = await client.extract.cancel(running.id);
  assert(c.status === 'CANCELLED', `job ${JSON.stringify(c)}`);
});

await check('extract.cancel of a finished job is a 400', ['CancelExtractJob'], async () => {
  await expectError(client.extract.cancel(job.id), BadRequestError, 400);
});

await check('extract.delete then extract.get is a 404', ['DeleteExtractJob', 'GetExtractJob'], async () => {
  await client.extract.delete(job.id);
  await expectError(client.extract.get(job.id), NotFoundError, 404);
});

await check('a status outside the enum is a 422 with the spot in detail', ['ListExtractJobs'], async () => {
  const err = await expectError(client.extract.list({ status: 'DONE' }), UnprocessableEntityError, 422);
  const d = err.error && err.error.detail;
  assert(Array.isArray(d) && d[0].loc.join('.') === 'query.status' && d[0].type === 'enum', `detail ${JSON.stringify(err.error)}`);
});

await check('a null status (sent as status=) is a 422', ['ListExtractJobs'], async () => {
  const err = await expectError(client.extract.list({ status: null }), UnprocessableEntityError, 422);
  assert(err.error.detail[0].loc.join('.') === 'query.status', `detail ${JSON.stringify(err.error)}`);
});

await check('a wrong API key is a 401', ['GetFile'], async () => {
  const stranger = new LlamaCloud({ apiKey: 'not-the-key', baseURL, maxRetries: 0 });
  await expectError(stranger.files.retrieve(file.id), AuthenticationError, 401);
});

await check('configurations.delete then retrieve is a 404', ['DeleteConfiguration', 'GetConfiguration'], async () => {
  await client.configurations.delete(cfg.id);
  await expectError(client.configurations.retrieve(cfg.id), NotFoundError, 404);
});

await check('files.delete then retrieve is a 404', ['DeleteFile', 'GetFile'], async () => {
  await client.files.delete(file2.id);
  await expectError(client.files.retrieve(file2.id), NotFoundError, 404);
});

await check('openapi.yaml matches the SDK\'s .d.ts types (go test -run TestSpecMatchesTypeScriptSDK)', [], async () => {
  if (process.env.SPEC_TYPES !== 'ok') {
    const log = process.env.SPEC_TYPES_LOG ? readFileSync(process.env.SPEC_TYPES_LOG, 'utf8') : '(no log)';
    console.log(log);
    throw new Error('the type comparison failed (its output is above)');
  }
});

const want = 18;
if (operations.size !== want) {
  failed++;
  console.log(`FAIL  drove ${operations.size} of ${want} operations: ${[...operations].sort().join(', ')}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
