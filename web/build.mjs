// Builds the browser bundles from src/ into static/app/ (committed, so Atelier needs no Node
// at run time) together with the licence notices of the bundled packages.
//
//   node build.mjs          write static/app/
//   node build.mjs --check  exit 1 if static/app/ differs from a fresh build (stale bundle)
//
// The output is deterministic: same sources and same locked dependencies, same bytes.
// Bundles carry their content hash in their name (board-1A2B3C4D.js) so the server can let
// browsers cache them for a year; manifest.json maps each page's name to its file, and every
// bundle is also written gzip- and brotli-compressed (.gz, .br) for the server to send as is.

import * as esbuild from 'esbuild'
import { readFile, writeFile, mkdir, readdir, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { gzipSync, brotliCompressSync, constants as zlib } from 'node:zlib'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const WEB = path.dirname(fileURLToPath(import.meta.url))
const OUT = 'static/app'
const PAGES = ['archive', 'board', 'home', 'join', 'programme', 'replay']
const NOTICE = 'THIRD_PARTY_LICENSES.txt'
const MANIFEST = 'manifest.json'
const BANNER = `/*! Atelier browser client, built from web/src by web/build.mjs. Bundled packages and their licences: /static/app/${NOTICE} */`

async function bundle () {
  const result = await esbuild.build({
    absWorkingDir: WEB,
    entryPoints: PAGES.map((name) => `src/pages/${name}.js`),
    entryNames: '[name]-[hash]',
    outdir: OUT,
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    charset: 'utf8',
    legalComments: 'none',
    banner: { js: BANNER },
    // tsconfig.json is for type checking only: it must not change what the bundles contain
    tsconfigRaw: {},
    metafile: true,
    write: false,
    logLevel: 'warning'
  })
  const files = new Map()
  /** @type {Record<string, string>} */
  const manifest = {}
  for (const file of result.outputFiles) {
    const name = path.relative(path.join(WEB, OUT), file.path)
    const contents = Buffer.from(file.contents)
    manifest[name.replace(/-[A-Z0-9]+\.js$/, '.js')] = name
    files.set(name, contents)
    files.set(`${name}.gz`, gzipSync(contents, { level: 9 }))
    files.set(`${name}.br`, brotliCompressSync(contents, {
      params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: contents.length }
    }))
  }
  const sorted = Object.fromEntries(Object.entries(manifest).sort())
  files.set(MANIFEST, Buffer.from(JSON.stringify(sorted, null, 2) + '\n', 'utf8'))
  files.set(NOTICE, Buffer.from(await notices(result.metafile), 'utf8'))
  return files
}

/** The packages whose code ended up in a bundle, each with its licence text. */
async function notices (metafile) {
  const packages = new Set()
  for (const input of Object.keys(metafile.inputs)) {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)
    if (match) packages.add(match[1])
  }
  const parts = [
    'Third-party software bundled in Atelier\'s browser client (web/static/app/*.js).',
    'Each package is used unmodified; its licence follows.',
    ''
  ]
  for (const name of Array.from(packages).sort()) {
    const dir = path.join(WEB, 'node_modules', name)
    const meta = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'))
    const licenceFile = (await readdir(dir)).sort().find((file) => /^licen[cs]e(\.md|\.txt)?$/i.test(file))
    const text = licenceFile ? (await readFile(path.join(dir, licenceFile), 'utf8')).trim() : `License: ${meta.license}`
    parts.push('='.repeat(78), `${meta.name} ${meta.version} (${meta.license})`, meta.homepage || '', '='.repeat(78), text, '')
  }
  return parts.join('\n')
}

async function check (files) {
  const dir = path.join(WEB, OUT)
  const stale = []
  for (const [name, contents] of files) {
    const file = path.join(dir, name)
    if (!existsSync(file) || !contents.equals(await readFile(file))) stale.push(name)
  }
  const present = existsSync(dir) ? await readdir(dir) : []
  for (const name of present) if (!files.has(name)) stale.push(`${name} (not built any more)`)
  if (stale.length) {
    console.error(`web/${OUT} is stale; run \`npm run build --prefix web\` and commit: ${stale.join(', ')}`)
    process.exit(1)
  }
  console.log(`web/${OUT} is up to date (${files.size} files)`)
}

async function write (files) {
  const dir = path.join(WEB, OUT)
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  for (const [name, contents] of files) await writeFile(path.join(dir, name), contents)
  for (const [name, contents] of files) console.log(`web/${OUT}/${name}  ${(contents.length / 1024).toFixed(1)} KiB`)
}

const files = await bundle()
if (process.argv.includes('--check')) await check(files)
else await write(files)
