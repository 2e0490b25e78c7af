// Every message key exists in every language (run by `npm run lint` and by the test suite).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'locales');
const keys = {};
for (const lang of readdirSync(root)) {
  keys[lang] = new Set();
  for (const file of readdirSync(path.join(root, lang)).filter((f) => f.endsWith('.ftl'))) {
    for (const line of readFileSync(path.join(root, lang, file), 'utf8').split('\n')) {
      const m = /^([a-z][a-z0-9-]*)\s*=/.exec(line);
      if (m) keys[lang].add(m[1]);
    }
  }
}
let missing = 0;
for (const [lang, set] of Object.entries(keys)) {
  for (const [other, otherSet] of Object.entries(keys)) {
    for (const key of otherSet) if (!set.has(key)) { console.error(`locales/${lang}: missing "${key}" (present in ${other})`); missing++; }
  }
}
if (missing) process.exit(1);
console.log(`locales: ${Object.keys(keys).join(', ')} have the same ${keys.en?.size ?? 0} keys`);
