// The API reference must cover every public export: TypeDoc runs over the package's entry points
// with the repository's typedoc.json (validation.notDocumented, treatWarningsAsErrors) and must
// report nothing. Nothing is emitted; `npm run docs` builds the site.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Application, Logger, LogLevel } from 'typedoc';

const CONFIG = fileURLToPath(new URL('../../typedoc.json', import.meta.url));

class Collector extends Logger {
  readonly messages: string[] = [];
  override log(message: string, level: LogLevel): void {
    super.log(message, level);
    if (level >= LogLevel.Warn) this.messages.push(message);
  }
}

test('typedoc: every public export is documented, with no warnings or errors', { timeout: 120_000 }, async () => {
  const app = await Application.bootstrapWithPlugins({ options: CONFIG });
  assert.equal(app.logger.warningCount + app.logger.errorCount, 0, 'typedoc.json options are valid');
  const logger = new Collector();
  app.logger = logger;
  // Only the entry points and what they import: the repository tsconfig also includes test/,
  // bench/ and scripts/, which the reference never reaches. `tsc --noEmit` does the type check.
  app.options.setValue('skipErrorChecking', true);
  const entryPoints = app.options.getValue('entryPoints');
  app.options.setCompilerOptions(entryPoints, app.options.getCompilerOptions(logger), app.options.getProjectReferences());

  const project = await app.convert();
  assert.ok(project, `typedoc could not convert the project:\n${logger.messages.join('\n')}`);
  app.validate(project);

  const undocumented = logger.messages
    .filter((m) => m.includes('does not have any documentation'))
    .map((m) => m.replace(/, does not have any documentation.*$/s, ''));
  const other = logger.messages.filter((m) => !m.includes('does not have any documentation'));
  if (undocumented.length > 0) {
    assert.fail(`${undocumented.length} public exports have no doc comment:\n  ${undocumented.join('\n  ')}`);
  }
  if (other.length > 0) assert.fail(`typedoc warnings and errors:\n  ${other.join('\n  ')}`);
});
