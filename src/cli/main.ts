#!/usr/bin/env node
/**
 * `npx passport-spid-oidc <command>`: onboarding tools that read only public information (doctor)
 * or a local key file (keys), and change nothing anywhere.
 */
import { existsSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { runDoctor } from '../doctor/run-doctor.ts'
import { formatDoctorReport } from '../doctor/report.ts'
import { CIE_TRUST_ANCHOR, SPID_TRUST_ANCHOR } from '../federation/anchors.ts'
import { exportPublicKeys } from '../keys/export-keys.ts'

const USAGE = `Usage:
  passport-spid-oidc doctor <rp-entity-id> [--anchor <entity-id>|spid|cie] [--anchor-jwks <file or JSON>]
                            [--trust-mark-type <type>]... [--no-providers] [--json]
      Checks what a federation registry and AgID's RP conformance tool check: the RP entity
      configuration, its keys, authority_hints, trust marks, its trust chain through the anchor
      with the anchor's policy applied, and the chain of each OP the anchor lists.
      Exit code 0 when nothing failed, 1 otherwise.

  passport-spid-oidc keys <private-keys.json> [--with-certificates]
      Prints the public JWKs to give the registry portals: the federation keys and the core
      (signing and encryption) keys, with the kids the entity configuration publishes. The file
      holds { federation, signing, encryption }, each a private JWK, a PEM or { current, next,
      previous }, as the keys option takes them. x5c/x5t members are left out unless asked for:
      the CIE portal refuses them.`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === 'doctor') return doctor(rest)
  if (command === 'keys') return keys(rest)
  console.log(USAGE)
  return command === undefined || command === 'help' || command === '--help' ? 0 : 2
}

async function doctor(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      anchor: { type: 'string', default: 'spid' },
      'anchor-jwks': { type: 'string' },
      'trust-mark-type': { type: 'string', multiple: true },
      'no-providers': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  })
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
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'with-certificates': { type: 'boolean', default: false } } })
  const [file] = positionals
  if (!file) return usageError('keys needs the file of private keys, e.g. .dev-keys/rp-keys.json')
  const exported = exportPublicKeys(readJson(file, 'the key file'), { withCertificates: values['with-certificates'] })
  console.log(JSON.stringify(exported, null, 2))
  return 0
}

/** JSON given inline or as a file path. */
function readJson(text: string, what: string) {
  const source = text.trim().startsWith('{') ? text : existsSync(text) ? readFileSync(text, 'utf8') : undefined
  if (source === undefined) throw new UsageError(`${what}: no such file: ${text}`)
  try {
    return JSON.parse(source)
  } catch (error) {
    throw new UsageError(`${what} is not JSON: ${(error as Error).message}`)
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
