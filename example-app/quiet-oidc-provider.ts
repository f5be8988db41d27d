/**
 * Imported first by the demo: the bundled test OP runs on oidc-provider, which prints a runtime
 * warning on Node 20 and "you SHOULD change" notices meant for people deploying it as a real OP.
 * Neither concerns someone trying the example, so those lines only are dropped.
 */
const warn = console.warn.bind(console)
const info = console.info.bind(console)
const fromOidcProvider = (args: unknown[]) =>
  // On a terminal the line starts with a colour code, hence includes() rather than startsWith().
  typeof args[0] === 'string' && (args[0].includes('oidc-provider WARNING: Unsupported runtime') || args[0].includes('oidc-provider NOTICE:'))

console.warn = (...args: unknown[]) => {
  if (!fromOidcProvider(args)) warn(...args)
}
console.info = (...args: unknown[]) => {
  if (!fromOidcProvider(args)) info(...args)
}
