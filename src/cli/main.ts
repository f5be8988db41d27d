#!/usr/bin/env node
/**
 * `npx passport-spid-oidc <command>`: onboarding tools that read only public information (doctor)
 * or a local key file (keys), and change nothing anywhere.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { runDoctor } from '../doctor/run-doctor.ts'
import { formatDoctorReport } from '../doctor/report.ts'
import { CIE_TRUST_ANCHOR, SPID_TRUST_ANCHOR } from '../federation/anchors.ts'
import { exportPublicKeys } from '../keys/export-keys.ts'
import { exportAuditLog } from '../audit/export-audit-log.ts'
import { type ChainReport, verifyAuditLog } from '../audit/verify-audit-log.ts'
import { closestName } from '../options/closest-name.ts'
import { parseSessionKey } from '../session/session-cipher.ts'

/** Each command's usage, shown by `<command> --help` and after a usage mistake in it. */
const COMMAND_USAGE = {
  doctor: `  passport-spid-oidc doctor <rp-entity-id> [--anchor <entity-id>|spid|cie] [--anchor-jwks <file or JSON>]
                            [--trust-mark-type <type>]... [--no-providers] [--json]
      Checks what a federation registry and AgID's RP conformance tool check: the RP entity
      configuration, its keys, authority_hints, trust marks, its trust chain through the anchor
      with the anchor's policy applied, and the chain of each OP the anchor lists.
      Exit code 0 when nothing failed, 1 otherwise.`,
  'audit verify': `  passport-spid-oidc audit verify <audit folder> [--key <hex or base64>] [--heads <earlier report.json>]
                                  [--max-open-age <24h>] [--json]
      Verifies every instance's chain of a JsonLinesAuditSink folder with the audit key (AUDIT_KEY
      by default): MACs, order, deletions, insertions, splices, encryption, torn lines; with
      --heads, also that no chain lost records reported earlier (truncation). Warns about events
      dropped while a writer's backlog was full, and about a chain not closed whose last record is
      older than --max-open-age (s, m, h or d; default 24h): its tail was cut off, or its instance
      stopped without closing it. Exit 1 on a problem, 3 on warnings only, 0 otherwise.`,
  'audit export': `  passport-spid-oidc audit export <audit folder> --from <date> --to <date> [--sub <sub>]
                                  [--fiscal-number-hash <tag>] [--key <hex or base64>]
      Prints a verified, decrypted extract for the auditor: the events of the period (of one
      person, if asked), each with its instance, sequence number and MAC, and the integrity
      verdict and chain heads of the whole folder.`,
  keys: `  passport-spid-oidc keys <private-keys.json> [--with-certificates]
      Prints the public JWKs to give the registry portals: the federation keys and the core
      (signing and encryption) keys, with the kids the entity configuration publishes. The file
      holds { federation, signing, encryption }, each a private JWK, a PEM or { current, next,
      previous }, as the keys option takes them. x5c/x5t members are left out unless asked for:
      the CIE portal refuses them.`,
} as const
type Command = keyof typeof COMMAND_USAGE

const USAGE = `Usage:
${Object.values(COMMAND_USAGE).join('\n\n')}

  passport-spid-oidc --version      the version of passport-spid-oidc
  passport-spid-oidc <command> --help`

const COMMANDS = ['doctor', 'keys', 'audit', 'help']

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === '--version' || command === '-v' || command === 'version') {
    console.log(version())
    return 0
  }
  if (command === 'doctor') return doctor(rest)
  if (command === 'keys') return keys(rest)
  if (command === 'audit') return audit(rest)
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE)
    return 0
  }
  const near = closestName(command.replace(/^-+/, ''), [...COMMANDS, 'version'])
  return usageError(`unknown command "${command}"${near ? `: did you mean "${near}"?` : ''}`)
}

/** The package's own version, from the package.json next to src/ or dist/. */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version
}

type OptionSpec = NonNullable<Parameters<typeof parseArgs>[0]>['options']

/**
 * parseArgs with what every command shares: `--help` prints the command's usage (null is
 * returned, the caller exits 0), and an unknown option names the one meant when it is a typo.
 */
function parseCommand<const O extends NonNullable<OptionSpec>>(command: Command, args: string[], options: O) {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`Usage:\n${COMMAND_USAGE[command]}`)
    return null
  }
  try {
    return parseArgs({ args, allowPositionals: true, options })
  } catch (error) {
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec((error as Error).message)?.[1]
    if (!unknown) throw new UsageError(`${(error as Error).message}\n\nUsage:\n${COMMAND_USAGE[command]}`)
    const near = closestName(unknown.replace(/^-+/, ''), [...Object.keys(options), 'help'])
    throw new UsageError(`${command}: unknown option ${unknown}${near ? ` (did you mean --${near}?)` : ''}\n\nUsage:\n${COMMAND_USAGE[command]}`)
  }
}

async function doctor(args: string[]): Promise<number> {
  const parsed = parseCommand('doctor', args, {
    anchor: { type: 'string', default: 'spid' },
    'anchor-jwks': { type: 'string' },
    'trust-mark-type': { type: 'string', multiple: true },
    'no-providers': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  })
  if (!parsed) return 0
  const { values, positionals } = parsed
  const [entityId] = positionals
  if (!entityId) return usageError('doctor needs the RP entity id (its client_id), e.g. https://servizi.comune.example.it')
  const anchorId = values.anchor === 'spid' ? SPID_TRUST_ANCHOR : values.anchor === 'cie' ? CIE_TRUST_ANCHOR : (values.anchor as string)
  const jwksText = values['anchor-jwks']
  const jwks = jwksText ? readJson(jwksText, '--anchor-jwks') : undefined
  const report = await runDoctor({
    entityId,
    anchor: { entityId: anchorId, ...(jwks ? { jwks } : {}) },
    requiredTrustMarks: values['trust-mark-type'] ?? [],
    providers: !values['no-providers'],
  })
  console.log(values.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report))
  return report.ok ? 0 : 1
}

function keys(args: string[]): number {
  const parsed = parseCommand('keys', args, { 'with-certificates': { type: 'boolean', default: false } })
  if (!parsed) return 0
  const { values, positionals } = parsed
  const [file] = positionals
  if (!file) return usageError('keys needs the file of private keys, e.g. .dev-keys/rp-keys.json')
  const exported = exportPublicKeys(readJson(file, 'the key file'), { withCertificates: values['with-certificates'] })
  console.log(JSON.stringify(exported, null, 2))
  return 0
}

function audit(args: string[]): number {
  const [action, ...rest] = args
  if (action !== 'verify' && action !== 'export') {
    if (action === undefined || action === '--help' || action === '-h') {
      console.log(`Usage:\n${COMMAND_USAGE['audit verify']}\n\n${COMMAND_USAGE['audit export']}`)
      return action === undefined ? 2 : 0
    }
    const near = closestName(action, ['verify', 'export'])
    return usageError(`audit: unknown action "${action}"${near ? `: did you mean "${near}"?` : ''}; use audit verify or audit export`)
  }
  const parsed = parseCommand(`audit ${action}`, rest, {
    key: { type: 'string' },
    heads: { type: 'string' },
    'max-open-age': { type: 'string' },
    json: { type: 'boolean', default: false },
    from: { type: 'string' },
    to: { type: 'string' },
    sub: { type: 'string' },
    'fiscal-number-hash': { type: 'string' },
  })
  if (!parsed) return 0
  const { values, positionals } = parsed
  const [dir] = positionals
  if (!dir) return usageError(`audit ${action} needs the audit folder`)
  if (existsSync(dir) && !isFolder(dir))
    return usageError(`audit ${action}: ${dir} is a file, not a folder: give the folder the audit log is written to (AUDIT_DIR)`)
  const keyText = values.key ?? process.env.AUDIT_KEY
  const key = keyText ? parseSessionKey(keyText) : undefined
  if (!key) return usageError('the audit key is needed (--key or AUDIT_KEY): 32 bytes, as 64 hex characters or base64')
  if (action === 'export') {
    if (!values.from || !values.to) return usageError('audit export needs --from and --to (dates or times, ISO 8601)')
    const extract = exportAuditLog(dir, key, {
      from: values.from,
      to: values.to,
      ...(values.sub ? { sub: values.sub } : {}),
      ...(values['fiscal-number-hash'] ? { fiscalNumberHash: values['fiscal-number-hash'] } : {}),
    })
    console.log(JSON.stringify(extract, null, 2))
    return extract.integrity.ok ? 0 : 1
  }
  const heads = values.heads ? Object.fromEntries((readJson(values.heads, '--heads').chains as ChainReport[]).map((c) => [c.instance, c.head])) : undefined
  const maxOpenAge = values['max-open-age'] === undefined ? undefined : parseDuration(values['max-open-age'])
  if (maxOpenAge === null) return usageError('--max-open-age takes a duration: a number of seconds, or e.g. 90m, 24h, 2d')
  const { events: _events, ...report } = verifyAuditLog(dir, key, {
    ...(heads ? { expectedHeads: heads } : {}),
    ...(maxOpenAge !== undefined ? { maxOpenAge } : {}),
  })
  if (values.json) console.log(JSON.stringify(report, null, 2))
  else {
    for (const chain of report.chains)
      console.log(
        `chain ${chain.instance}: ${chain.records} records (${chain.events} events) in ${chain.files.length} file(s), head ${chain.head.seq} ${chain.head.mac}${chain.closed ? ', closed' : ''}`,
      )
    for (const p of report.problems) console.log(`PROBLEM ${p.file}:${p.line} [${p.instance}] ${p.problem}`)
    for (const w of report.warnings) console.log(`WARNING ${w.file}:${w.line} [${w.instance}] ${w.problem}`)
    console.log(
      !report.ok
        ? `${report.problems.length} problem(s)`
        : report.warnings.length > 0
          ? `${report.records} records, every chain intact, ${report.warnings.length} warning(s)`
          : `${report.records} records, every chain intact`,
    )
  }
  return !report.ok ? 1 : report.warnings.length > 0 ? 3 : 0
}

/** Seconds, from `3600`, `90m`, `24h` or `2d`; null when it is none of these. */
function parseDuration(text: string): number | null {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim())
  if (!match) return null
  return Number(match[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd']
}

/** JSON given inline or as a file path. */
function readJson(text: string, what: string) {
  const inline = text.trim().startsWith('{') || text.trim().startsWith('[')
  if (!inline && isFolder(text)) {
    const inside = readdirSync(text).filter((name) => name.endsWith('.json') && !name.startsWith('.'))
    const hint = inside.length ? `, e.g. ${inside.map((name) => join(text, name)).join(' or ')}` : ''
    throw new UsageError(`${what}: ${text} is a folder, not a file: give the JSON file inside it${hint}`)
  }
  const source = inline ? text : existsSync(text) ? readFileSync(text, 'utf8') : undefined
  if (source === undefined) throw new UsageError(`${what}: no such file: ${text}`)
  try {
    return JSON.parse(source)
  } catch (error) {
    throw new UsageError(`${what} is not JSON: ${(error as Error).message}`)
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

class UsageError extends Error {}

function usageError(message: string): number {
  console.error(`${message}\n\n${USAGE}`)
  return 2
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(error instanceof UsageError ? error.message : error instanceof Error ? `passport-spid-oidc: ${error.message}` : String(error))
    process.exitCode = 2
  },
)
